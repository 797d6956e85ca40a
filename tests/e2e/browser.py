"""Real headless Chromium (Debian's chromium + chromium-driver) driven by Selenium."""

import base64
import hashlib
import os
import subprocess
import time
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import ElementNotInteractableException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"


def chromium(width=360, height=740, trust=None):
    """`trust`: a certificate file (PEM) this browser accepts, as if a CA had signed it; no other is."""
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 f"--window-size={width},{height}", "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(flag)
    if trust:
        options.add_argument(f"--ignore-certificate-errors-spki-list={spki_hash(trust)}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_window_size(width, height)
    return driver


def spki_hash(certificate):
    """The base64 SHA-256 of a certificate's public key, as Chromium names the certificates it is told to trust."""
    key = subprocess.run(["openssl", "x509", "-in", str(certificate), "-pubkey", "-noout"], capture_output=True,
                         check=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=key, capture_output=True,
                         check=True).stdout
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def csp_violations(driver):
    """What the browser refused under the server's Content-Security-Policy."""
    return [entry["message"] for entry in driver.get_log("browser") if "Content Security Policy" in entry["message"]]


def by_testid(driver, testid):
    return driver.find_elements(By.CSS_SELECTOR, f'[data-testid="{testid}"]')


def wait(driver, predicate, timeout=10, message=""):
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: predicate(d), message)


def text_of(driver, testid):
    """The visible text of the first element with this test id (read in one go: the page re-renders)."""
    return driver.execute_script(
        "const e = document.querySelector(`[data-testid='${arguments[0]}']`); return e ? e.innerText : null", testid)


def status(driver):
    return driver.execute_script(
        "const e = document.querySelector('[data-testid=connection-status]'); return e ? e.dataset.status : null")


def click_css(driver, selector, timeout=10):
    """Clicks like a person: the element may be re-rendered under us, so try again."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            element = driver.find_elements(By.CSS_SELECTOR, selector)
            if element and element[0].is_enabled():
                element[0].click()
                return
        except (StaleElementReferenceException, ElementNotInteractableException):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing enabled to click at {selector}")
        time.sleep(0.1)


def click(driver, testid):
    click_css(driver, f'[data-testid="{testid}"]')


def painted(driver):
    """Returns once the fonts are loaded and the page has drawn two frames since."""
    driver.execute_async_script(
        "const done = arguments[0]; document.fonts.ready.then(() =>"
        " requestAnimationFrame(() => requestAnimationFrame(() => done())))")


def shoot(driver, name, width, height):
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.set_window_size(width, height)
    driver.execute_script("window.scrollTo(0, 0)")
    painted(driver)
    driver.save_screenshot(str(SHOTS / f"{name}-{width}x{height}.png"))
