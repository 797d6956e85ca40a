"""The server restarted in the middle of a meeting (an upgrade, say): the pages come back by themselves
and follow the secretary again, nothing to tap."""

import re

from browser import click, status, text_of, wait
from conftest import Server, free_port
from test_page import current_line, meeting_in_browsers


def test_the_pages_come_back_by_themselves_after_a_restart(demo, browsers):
    data, db = demo
    address = f"127.0.0.1:{free_port()}"
    server = Server(db, "--listen", address).start()
    try:
        secretary, phones = meeting_in_browsers(data, server, browsers, members=2)
        pages = [secretary, *phones]
        # The text opens on its first line: wait for the line after it, not whatever shows at the click.
        opening = current_line(secretary)
        click(secretary, "text-next")
        wait(secretary, lambda d: current_line(d) not in ("", opening), message="the secretary's next line")
        first = current_line(secretary)
        for page in phones:
            wait(page, lambda d: current_line(d) == first, message="the first line on the phone")

        assert server.stop() == 0
        for page in pages:
            wait(page, lambda d: status(d) != "online", message="the page saw the server go")
        server = Server(db, "--listen", address).start()
        for page in pages:
            wait(page, lambda d: status(d) == "online", 20, "the page came back by itself")
        for page in phones:
            assert current_line(page) == first
        wait(secretary, lambda d: present(d) == 3, 20, "the secretary and both phones present again")

        click(secretary, "text-next")
        wait(secretary, lambda d: current_line(d) not in ("", first))
        second = current_line(secretary)
        for page in phones:
            wait(page, lambda d: current_line(d) == second, message="the next line on the phone")
    finally:
        server.stop()


def present(driver):
    """The console's count of those present ("到会 3 / 应到 13…")."""
    numbers = re.findall(r"\d+", text_of(driver, "quorum") or "")
    return int(numbers[0]) if numbers else None
