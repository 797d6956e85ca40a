"""A county's meeting in the secretary's console: 2,000 members arrive and some leave, and the
console keeps count, row by row, in a real Chromium.

How long the page takes to draw is a benchmark's business (`bench/console.py`, bar 50 ms); this
test reads the page's own timing only to print it."""

import asyncio
import sys

from browser import click, status, text_of, wait
from conftest import MUSTER, ROOT, Server
from test_page_restart import present

sys.path.insert(0, str(ROOT / "bench"))
from branch import crowd, raise_file_limit  # noqa: E402
from console import arrive  # noqa: E402

MEMBERS = 2000


def rows_where(driver, condition):
    """How many of the roster's rows satisfy a JavaScript condition on `tr`."""
    return driver.execute_script(
        f"return [...document.querySelectorAll('[data-testid=member-row]')].filter((tr) => {condition}).length")


def mark_row(driver, name):
    """Tags the row of the member called `name`: an update that drew the roster anew would lose the tag."""
    return driver.execute_script(
        "const tr = [...document.querySelectorAll('[data-testid=member-row]')]"
        ".find((row) => row.cells[0].innerText.includes(arguments[0]));"
        "tr.musterMark = arguments[0]; return tr.dataset.member", name)


def marked_row(driver, member):
    """The tag on the row of `member` now, and whether the row shows them present."""
    return driver.execute_script(
        "const tr = document.querySelector(`[data-member='${arguments[0]}']`);"
        "return [tr.musterMark ?? null, tr.classList.contains('here')]", member)


def filter_roster(driver, text):
    """Types into the roster's filter box as a secretary would (the page redraws on input)."""
    driver.execute_script(
        "const box = document.querySelector('[data-testid=roster-filter]'); box.value = arguments[0];"
        "box.dispatchEvent(new Event('input', { bubbles: true }))", text)


def test_the_console_keeps_count_as_two_thousand_members_arrive_and_some_leave(tmp_path, browsers):
    raise_file_limit(MEMBERS * 2 + 200)
    db, host, tokens = crowd(MUSTER, str(tmp_path), MEMBERS)
    # Every phone comes from 127.0.0.1 here: the per-address limits are lifted.
    server = Server(db, "--hellos-per-address", "1000000", "--max-connections-per-address", "60000").start()
    try:
        secretary = browsers(1280, 900)
        secretary.get(f"{server.http_url}/#t={host}")
        wait(secretary, lambda d: status(d) == "online", 30, "the console came online")
        click(secretary, "session-open")
        wait(secretary, lambda d: rows_where(d, "true") == MEMBERS + 1, 30, "every member's row is drawn")
        watched = mark_row(secretary, "党员01234")
        secretary.execute_script("musterTiming.longest = 0; musterTiming.draws = 0")

        async def meeting():
            phones = await arrive(server.ws_url, tokens, 200)
            wait(secretary, lambda d: present(d) == MEMBERS + 1, 60, "the console counted everyone present")
            assert rows_where(secretary, "tr.classList.contains('here')") == MEMBERS + 1
            assert f"{MEMBERS + 1}" in text_of(secretary, "roster-counts")
            # The row was filled in place, not drawn anew.
            assert marked_row(secretary, watched) == ["党员01234", True]
            timing = secretary.execute_script("return musterTiming")
            print(f"{MEMBERS} arrivals: {timing['draws']} draws, the longest {timing['longest']:.1f} ms")

            filter_roster(secretary, "党员01234")
            wait(secretary, lambda d: rows_where(d, "!tr.hidden") == 1, message="the filter shows one member")
            filter_roster(secretary, "")
            wait(secretary, lambda d: rows_where(d, "!tr.hidden") == MEMBERS + 1, message="the filter cleared")

            # A quarter hang up, the watched member (党员01234) among them.
            leaving = phones[1000:1500]
            await asyncio.gather(*(phone.close() for phone in leaving))
            wait(secretary, lambda d: present(d) == MEMBERS + 1 - 500, 30, "the console counted the leavers")
            assert rows_where(secretary, "tr.classList.contains('here')") == MEMBERS + 1 - 500
            assert marked_row(secretary, watched) == ["党员01234", False]
            await asyncio.gather(*(phone.close() for phone in phones), return_exceptions=True)

        asyncio.run(meeting())
    finally:
        server.stop()
