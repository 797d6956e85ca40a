"""Below the page's floor: a plain message instead of a blank page, and the secretary told who."""

from browser import shoot, status, text_of, wait


def test_a_phone_that_cannot_run_the_page_says_so_and_the_console_names_the_member(demo, server, browsers):
    data, _ = demo
    secretary = browsers(1280, 800)
    secretary.get(f"{server.http_url}/#t={data.host['token']}")
    wait(secretary, lambda d: status(d) == "online", 15, "the console never came online")
    old = browsers(360, 740)
    # The page's module fails as it would on an old phone (one that cannot parse or load it).
    old.execute_cdp_cmd("Network.enable", {})
    old.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/js/app.js"]})
    old.get(f"{server.http_url}/#t={data.members[0]['token']}")
    wait(old, lambda d: text_of(d, "too-old"), 10, "no message for a browser too old")
    assert "浏览器版本太旧" in text_of(old, "too-old")
    shoot(old, "too-old", 360, 740)
    wait(secretary, lambda d: text_of(d, "unsupported-browsers"), 10, "the console was not told")
    listed = text_of(secretary, "unsupported-browsers")
    assert data.members[0]["name"] in listed
    shoot(secretary, "console-too-old", 1280, 800)


def test_a_browser_without_modules_gets_the_message(demo, server, browsers):
    data, _ = demo
    old = browsers(320, 640)
    # What a browser without module scripts sees: the guard alone.
    old.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {
        "source": "Object.defineProperty(HTMLScriptElement.prototype, 'noModule', {get: undefined});"
                  "delete HTMLScriptElement.prototype.noModule;"})
    old.execute_cdp_cmd("Network.enable", {})
    old.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/js/app.js"]})
    old.get(f"{server.http_url}/#t={data.members[1]['token']}")
    wait(old, lambda d: text_of(d, "too-old"), 10, "no message without modules")
    assert old.execute_script("return 'noModule' in document.createElement('script')") is False


WECHAT = ("Mozilla/5.0 (Linux; Android 10; HM NOTE) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/86.0 "
          "Mobile Safari/537.36 MicroMessenger/8.0.40")


def test_inside_wechat_the_console_says_to_open_the_browser_for_exports(demo, server, browsers):
    data, _ = demo
    secretary = browsers(390, 844)
    secretary.execute_cdp_cmd("Network.enable", {})
    secretary.execute_cdp_cmd("Network.setUserAgentOverride", {"userAgent": WECHAT})
    secretary.get(f"{server.http_url}/#t={data.host['token']}")
    wait(secretary, lambda d: text_of(d, "wechat-export"), 15, "no word about exports inside WeChat")
    assert "在浏览器打开" in text_of(secretary, "wechat-export")
    assert not secretary.find_elements("css selector", "[data-action=export]")
    # The page makes a readable card when the link is shared in a chat.
    assert "参会" in secretary.execute_script("return document.querySelector('meta[name=description]').content")
