import Foundation
import MusterCore

/// The minutes of a session as a printable HTML page, in Chinese: what the
/// secretary files and prints after the meeting.
///
/// Everything comes from the session's state: the title and times, the
/// expected / present / quorum figures, the attendance table, the text read
/// with the time of each line, the discussion and the vote results. Times
/// are written in the branch's time zone.
public enum MinutesDocument {
    /// `reader`: a member reading the minutes of a session they attended, who
    /// sees no one else's excuse (the protocol's rule); nil for the secretary.
    public static func html(_ state: SessionState, asOf: Instant, timeZone: TimeZone, reader: MemberID? = nil) -> String {
        let time = { (instant: Instant?) in instant.map { AttendanceExport.local($0, timeZone) } ?? "—" }
        let records = state.attendance(asOf: asOf)
        let quorum = state.quorum
        let attended = records.filter { $0.firstJoin != nil }.count
        var page = """
            <!doctype html>
            <html lang="zh-CN"><head><meta charset="utf-8"><title>\(escape(state.setup.title)) · 会议纪要</title>
            <style>
            body{font-family:"Noto Serif CJK SC","Songti SC",serif;max-width:800px;margin:2em auto;padding:0 1em;line-height:1.6;color:#000}
            h1{text-align:center;font-size:1.6em}h2{font-size:1.15em;border-bottom:1px solid #000;margin-top:1.6em}
            table{border-collapse:collapse;width:100%;font-size:.9em}td,th{border:1px solid #444;padding:.2em .4em;text-align:left}
            .muted{color:#555}@media print{body{margin:0}}
            </style></head><body>
            <h1>\(escape(state.setup.title))</h1>
            <p>计划时间：\(time(state.setup.scheduledStart))　开始：\(time(state.startedAt))　结束：\(time(state.endedAt))</p>
            <p>应到 \(records.count) 人，实到 \(attended) 人；应到有表决权党员 \(quorum.expected) 人，法定人数 \(quorum.required) 人。</p>

            """
        page += "<h2>出席情况</h2><table><tr><th>姓名</th><th>身份</th><th>出席</th><th>方式</th><th>首次进入</th><th>最后离开</th><th>在场分钟</th><th>点名</th><th>请假事由</th></tr>\n"
        for record in records {
            page += "<tr><td>\(escape(record.name))</td><td>\(AttendanceExport.words(record.memberStatus, .zh))</td>"
            page += "<td>\(AttendanceExport.words(record.status, .zh))</td>"
            page += "<td>\(record.mode.map { AttendanceExport.words($0, .zh) } ?? "")</td><td>\(time(record.firstJoin))</td>"
            page += "<td>\(record.lastLeave.map { time($0) } ?? "")</td><td>\(record.secondsPresent / 60)</td>"
            page += "<td>\(record.rollCallsAnswered)/\(record.rollCallsHeld)</td><td>\(escape(reader == nil || reader == record.member ? record.excuse ?? "" : ""))</td></tr>\n"
        }
        page += "</table>\n"
        if let text = state.text, !text.marks.isEmpty {
            page += "<h2>共同诵读：\(escape(text.text.title))</h2><table><tr><th>时间</th><th>内容</th></tr>\n"
            for mark in text.marks {
                page += "<tr><td>\(time(mark.at))</td><td>\(escape(text.text.lines[mark.line]))</td></tr>\n"
            }
            page += "</table>\n"
        }
        let names = Dictionary(uniqueKeysWithValues: state.roster.map { ($0.id, $0.name) })
        for thread in state.threads {
            page += "<h2>讨论：\(escape(thread.title))</h2>\n"
            for post in state.posts where post.thread == thread.id {
                let who = escape(names[post.by] ?? post.by.rawValue)
                let body = post.hidden ? "<span class=\"muted\">（已由书记隐藏）</span>" : escape(post.body)
                page += "<p><b>\(who)</b> <span class=\"muted\">\(time(post.at))</span><br>\(body)</p>\n"
            }
        }
        for vote in state.votes {
            page += "<h2>表决：\(escape(vote.question))</h2><p>\(vote.secret ? "无记名投票" : "记名投票")，开始于 \(time(vote.openedAt))。</p>\n"
            if let result = vote.result {
                let tally = result.tally.map { "\(escape($0.choice)) \($0.count) 票" }.joined(separator: "，")
                page += "<p>\(tally)。应到 \(result.expected)，到会 \(result.present)，投票 \(result.cast)，通过需赞成 \(result.threshold) 票。"
                page += "<b>\(result.passed ? "通过" : "未通过")</b>。</p>\n"
            } else if vote.voided != nil {
                page += "<p><b>作废</b>：无记名投票进行中服务器重启，计票不写入磁盘（为保护投票秘密），本次表决无效。</p>\n"
            } else {
                page += "<p class=\"muted\">表决未结束。</p>\n"
            }
        }
        page += "<p class=\"muted\">由 Muster 根据会议记录生成，\(time(asOf))。</p></body></html>\n"
        return page
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
