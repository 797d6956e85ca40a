// Words on the page, in Chinese (the default) and English (i18n-en.js, downloaded
// only by those who choose it). The choice is remembered.

const words = {
  zh: {
    lang: 'EN', bigOn: '大字', bigOff: '标准字',
    connecting: '连接中…', online: '已连接', offline: '重连中…',
    stale: '网络中断：以下是 {time} 的内容，恢复连接后自动更新', pending: '{n} 项操作等待发送', waiting: '（待发送）',
    noToken: '请打开书记发给您的专属链接（微信或短信里的那个链接）。',
    noSession: '您的支部现在没有安排会议。会议开始前，书记会通知您。',
    phase_scheduled: '未开始', phase_open: '候会中', phase_started: '会议进行中', phase_ended: '已结束', phase_cancelled: '已取消', cancelled: '会议已取消：{r}',
    text: '共同诵读', noText: '书记尚未选择诵读内容',
    rollcall: '点名', here: '到', answered: '已签到', secondsLeft: '还剩 {s} 秒', rollcallClosed: '点名结束：{a} 人签到，{m} 人未到',
    vote: '表决', secret: '无记名投票：只记录是否投票，不记录投了什么', open: '记名投票',
    voted: '您已投票', cannotVote: '您不参加本次表决（仅到会的正式党员表决）', passed: '通过', failed: '未通过',
    tally: '赞成需 {t} 票；应到 {e}，到会 {p}，投票 {c}',
    threads: '讨论', reply: '回复', post: '发言', send: '发送', hidden: '（此发言已被书记隐藏）', replyTo: '回复 {who}',
    me: '我的出席记录', myRecord: '历次参会记录', since: '{t} 起在场', minutes: '在场 {m} 分钟', rollcallsAnswered: '点名 {a}/{h}',
    city: '我现在在另一个城市', cityPlaceholder: '现在所在城市', save: '保存',
    status_present: '出席', status_late: '迟到', status_left_early: '早退', status_excused: '请假', status_absent: '缺席',
    mode_remote: '远程', mode_onsite: '现场', presentNow: '在线', away: '不在',
    member_full: '正式党员', member_probationary: '预备党员', member_guest: '列席',
    wechatExport: '微信里不能下载文件。请点右上角「…」，选择「在浏览器打开」，再导出考勤表和会议纪要。',
    tooOldTitle: '这些党员的浏览器太旧，无法参会', tooOldLine: '请帮助他们升级微信或手机浏览器，或换一部手机',
    console: '书记控制台', office: '支部事务', cancelSession: '取消会议', cancelPrompt: '取消的原因（党员会看到）：', sessionOpen: '开放入会', sessionStart: '开始会议', sessionEnd: '结束会议',
    lock: '锁定（不再接纳新人）', unlock: '解除锁定', confirmEnd: '确定结束会议吗？结束后不能再修改。',
    quorum: '到会 {p} / 应到 {e}（表决需 {r} 人）', quorumMet: '已达法定人数', quorumNot: '未达法定人数',
    roster: '名单', rosterFilter: '按姓名、城市或状态筛选', inRoom: '在会场', excuse: '请假', excusePrompt: '请假事由：',
    startRollcall: '开始点名', seconds: '秒', closeRollcall: '结束点名',
    prev: '上一句', next: '下一句', setText: '使用此文本', oathTemplate: '入党誓词（内置）', pasteHere: '在此粘贴文本，每行一句', textTitle: '标题',
    openThread: '发起讨论', threadTitle: '讨论主题', hide: '隐藏',
    question: '表决事项', secretBallot: '无记名', openVote: '发起表决', closeVote: '结束表决',
    noQuorumReason: '到会正式党员未过半数，不能表决',
    exports: '导出', minutes: '会议纪要（可打印）', attendanceCsv: '考勤表 (CSV)', attendanceJson: '考勤与记录 (JSON)', eventLog: '会议记录 (JSON)',
    bigScreen: '打开大屏', present: '到会', expected: '应到', scanToJoin: '扫码打开会议页面，再用您的专属链接登录',
    err_bad_request: '操作有误', err_unauthorized: '链接无效或已更换，请向书记索取新链接', err_forbidden: '您没有这个权限',
    err_not_found: '找不到该内容', err_conflict: '现在不能这样做', err_too_large: '内容太长', err_rate_limited: '操作太快，请稍候',
    err_session_ended: '会议已结束', err_internal: '服务器暂时出错，请重试',
    void_server_restarted: '本次表决作废：无记名投票进行中服务器重启，为保护投票秘密计票从不写入磁盘，请书记重新发起表决',
    devices: '{n} 台设备',
    saveFailed: '服务器暂时无法保存（磁盘可能已满）：最近的操作已撤销，恢复后自动补记出席情况。请联系管理员。',
    err_stale_taps: '断网期间的 {n} 项操作属于已经结束的会议或点名，没有发送',
  },
};

let current = localStorage.getItem('muster.lang') === 'en' ? 'en' : 'zh';
let loaded = null;

export function lang() { return current; }

/** Switches the language; resolves once its words are here. */
export function setLang(next) {
  current = next === 'en' ? 'en' : 'zh';
  localStorage.setItem('muster.lang', current);
  document.documentElement.lang = current === 'en' ? 'en' : 'zh-CN';
  if (current === 'zh' || words.en) return Promise.resolve();
  loaded = loaded || import('./i18n-en.js').then((module) => { words.en = module.en; });
  return loaded;
}

let big = localStorage.getItem('muster.big') === '1';

/** Whether the page is in large type (for older members); remembered like the language. */
export function bigText() { return big; }

export function setBigText(on) {
  big = Boolean(on);
  localStorage.setItem('muster.big', big ? '1' : '0');
  document.documentElement.classList.toggle('big', big);
}

/** The phrase for `key`, `{name}` filled from `values` (Chinese until the English is in). */
export function t(key, values = {}) {
  const phrase = (words[current] && words[current][key]) ?? words.zh[key] ?? key;
  return phrase.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));
}

/** Resolves once the remembered language's words are here. */
export const languageReady = setLang(current);
setBigText(big);
