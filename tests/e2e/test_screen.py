"""The big screen, opened from the console: it follows the meeting with a
watch-only credential and never holds the secretary's link."""

from browser import click, status, wait
from conftest import run, started_session
from test_page import visit


def test_the_console_opens_the_big_screen_without_the_secretarys_link(demo, server, browsers):  # noqa: F811
    data, _ = demo
    run(started_session(server, data))
    console = browsers(1280, 800)
    visit(console, server, data.host["token"])
    click(console, "open-screen")
    wait(console, lambda d: len(d.window_handles) == 2, message="the screen opened")
    console.switch_to.window(console.window_handles[1])
    wait(console, lambda d: "/screen/" in d.current_url, message="screen page")
    fragment = console.current_url.split("#t=", 1)[1]
    assert data.host["token"] not in console.current_url
    assert fragment.startswith("w."), fragment
    wait(console, lambda d: status(d) == "online", 15, "the screen follows the session")
    assert data.host["token"] not in console.execute_script("return JSON.stringify(localStorage)")
