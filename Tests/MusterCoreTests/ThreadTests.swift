import MusterCore
import Testing

@Suite struct ThreadTests {
    let member = Caller.member(Scene.fullMembers[0])

    @Test func theSecretaryOpensAThreadAndMembersPostAndReply() {
        var scene = Scene.started()
        #expect(
            scene.run(.openThread(title: "村集体经济发展"), at: 10)
                == [.threadOpened(.init(thread: "T1", title: "村集体经济发展", by: Scene.secretary))])
        scene.run(.addPost(thread: "T1", body: "建议发展茶叶合作社", replyTo: nil), by: member, at: 20)
        let reply = scene.run(.addPost(thread: "T1", body: "同意", replyTo: "P1"), by: .member(Scene.guest), at: 30)
        #expect(reply == [.postAdded(.init(post: "P2", thread: "T1", by: Scene.guest, body: "同意", replyTo: "P1"))])
        #expect(scene.state.posts.map(\.id) == ["P1", "P2"])
    }

    @Test func theSecretaryHidesAPostOnce() {
        var scene = Scene.started()
        scene.run(.openThread(title: "议题"), at: 10)
        scene.run(.addPost(thread: "T1", body: "广告", replyTo: nil), by: member, at: 20)
        scene.refuse(.hidePost("P1"), by: member, at: 30, .forbidden)
        #expect(scene.run(.hidePost("P1"), at: 30) == [.postHidden(.init(post: "P1"))])
        #expect(scene.state.posts[0].hidden)
        scene.refuse(.hidePost("P1"), at: 31, .conflict)
        scene.refuse(.hidePost("P9"), at: 31, .notFound)
    }

    @Test func badPostsAreRefused() {
        var scene = Scene.started()
        scene.refuse(.openThread(title: "议题"), by: member, at: 1, .forbidden)
        scene.refuse(.openThread(title: " "), at: 1, .badRequest)
        scene.run(.openThread(title: "一"), at: 2)
        scene.run(.openThread(title: "二"), at: 3)
        scene.refuse(.addPost(thread: "T3", body: "x", replyTo: nil), by: member, at: 4, .notFound)
        scene.refuse(.addPost(thread: "bogus", body: "x", replyTo: nil), by: member, at: 4, .notFound)
        scene.refuse(.addPost(thread: "T1", body: "   ", replyTo: nil), by: member, at: 4, .badRequest)
        scene.refuse(.addPost(thread: "T1", body: String(repeating: "长", count: 2001), replyTo: nil), by: member, at: 4, .tooLarge)
        scene.refuse(.addPost(thread: "T1", body: "x", replyTo: "P1"), by: member, at: 4, .notFound)
        scene.run(.addPost(thread: "T2", body: "x", replyTo: nil), by: member, at: 5)
        scene.refuse(.addPost(thread: "T1", body: "y", replyTo: "P1"), by: member, at: 6, .badRequest)
        scene.refuse(.addPost(thread: "T1", body: "y", replyTo: nil), by: .member("M99"), at: 6, .forbidden)
    }
}
