import Foundation
import Synchronization
import Testing

@testable import MusterServer

@Suite struct MailboxTests {
    /// A post wakes the service thread out of `poll()`: the wake runs.
    @Test func aPostWakesTheServiceThreadWhenItIsNotWaiting() {
        let mailbox = Mailbox()
        let wakes = Atomic<Int>(0)
        mailbox.setWake { wakes.add(1, ordering: .relaxed) }
        mailbox.post(.tick)
        mailbox.post(.tick)
        #expect(wakes.load(ordering: .relaxed) == 2)
        #expect(mailbox.drain().count == 2)
        #expect(mailbox.drain().isEmpty)
    }

    /// The loop's brief wait for a commit returns with what another thread posted, as soon as
    /// it is posted (not at the end of the wait), and without waking `poll()`.
    @Test func aBriefWaitReturnsWithWhatAnotherThreadPosts() {
        let mailbox = Mailbox()
        let wakes = Atomic<Int>(0)
        mailbox.setWake { wakes.add(1, ordering: .relaxed) }
        let poster = Thread {
            while !mailbox.isServiceWaiting { Thread.sleep(forTimeInterval: 0.001) }
            mailbox.post(.committed(["S1": 3]))
        }
        poster.start()
        let waited = ContinuousClock().measure { #expect(mailbox.waitBriefly(seconds: 30)) }
        #expect(waited < .seconds(20), "the post did not end the wait")
        #expect(wakes.load(ordering: .relaxed) == 0)
        guard case .committed(let seqs) = mailbox.drain().first else {
            Issue.record("no commit")
            return
        }
        #expect(seqs == ["S1": 3])
    }

    /// With nothing posted the wait gives up, and says so.
    @Test func aBriefWaitWithNothingPostedReturnsEmptyHanded() {
        let mailbox = Mailbox()
        #expect(!mailbox.waitBriefly(seconds: 0.001))
        mailbox.post(.tick)
        #expect(mailbox.waitBriefly(seconds: 0.001))
    }
}
