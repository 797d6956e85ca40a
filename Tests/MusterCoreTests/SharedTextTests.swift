import MusterCore
import Testing

@Suite struct SharedTextTests {
    @Test func theOathTemplateIsReadyFromTheStart() {
        let scene = Scene()
        #expect(scene.state.text?.text == .partyOath)
        #expect(scene.state.text?.current == 0)
    }

    @Test func theSecretaryAdvancesGoesBackAndJumpsAndEveryMoveIsRecorded() {
        var scene = Scene.started()
        #expect(scene.run(.advanceText(line: 1), at: 10) == [.textAdvanced(.init(line: 1))])
        scene.run(.advanceText(line: 2), at: 20)
        scene.run(.advanceText(line: 1), at: 30)
        scene.run(.advanceText(line: 11), at: 40)
        #expect(scene.state.text?.current == 11)
        #expect(scene.state.text?.marks.map(\.line) == [1, 2, 1, 11])
        #expect(scene.state.text?.marks.last?.at == Scene.time(40))
    }

    @Test func linesOutsideTheTextAreRefused() {
        var scene = Scene.started()
        scene.refuse(.advanceText(line: 12), at: 1, .badRequest)
        scene.refuse(.advanceText(line: -1), at: 1, .badRequest)
        scene.refuse(.advanceText(line: 1), by: .member(Scene.fullMembers[0]), at: 1, .forbidden)
    }

    @Test func pastedTextReplacesTheOldAndStartsAtTheTop() {
        var scene = Scene.started()
        scene.run(.advanceText(line: 5), at: 1)
        let events = scene.run(.setText(title: " 学习材料 ", lines: ["第一段", "  ", "第二段 "]), at: 2)
        #expect(events == [.textSet(.init(title: "学习材料", lines: ["第一段", "第二段"]))])
        #expect(scene.state.text?.current == 0)
        #expect(scene.state.text?.marks.isEmpty == true)
    }

    @Test func emptyOrHugeTextsAreRefused() {
        var scene = Scene.started()
        scene.refuse(.setText(title: "空", lines: [" ", ""]), at: 1, .badRequest)
        scene.refuse(.setText(title: "", lines: ["a"]), at: 1, .badRequest)
        scene.refuse(.setText(title: "长", lines: Array(repeating: "行", count: 1001)), at: 1, .tooLarge)
        scene.refuse(.setText(title: "长", lines: [String(repeating: "字", count: 501)]), at: 1, .tooLarge)
    }

    @Test func withoutATextThereIsNothingToAdvance() {
        var scene = Scene(text: nil)
        scene.run(.open(roster: Scene.roster), at: 0)
        scene.refuse(.advanceText(line: 0), at: 1, .conflict)
    }

    @Test func pastedTextDropsBlankLines() {
        let text = SharedText(title: "誓词", pasted: "第一行\r\n\r\n　第二行　\n")
        #expect(text.lines == ["第一行", "第二行"])
    }
}
