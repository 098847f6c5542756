"""Screenshots of the running demo (``make demo``) for docs/screenshots/: the headline account's start
screen, signals, Overzicht ELIP, Werkvoorraad, Effect ELIP-brief and Downloaden bestanden, and DUO's
control room and a person in admin. Each account signs in with one of the backup codes ``make demo``
printed (single use):

    .venv/bin/python scripts/demo_screenshots.py http://127.0.0.1:8000 <groningen-code> <duo-beheer-code>

Writes the PNGs into docs/screenshots/ (Debian's chromium, driven by Playwright)."""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
PASSWORD = "Inburgering-Demo-2025"  # noqa: S105 - the demo accounts' published password (README)
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]

PORTAL = [
    ("/", "demo-01-start-groningen"),
    ("/signalen/resultaten/openstaand/", "demo-02-signalen-groningen"),
    ("/elip/personen/overzicht/", "demo-03-overzicht-elip-groningen"),
    ("/elip/werkvoorraad/", "demo-04-werkvoorraad-groningen"),
    ("/elip/effect/", "demo-05-effect-groningen"),
    ("/elip/downloaden/", "downloads-0-demo-groningen"),
]


def sign_in(page, base, username, code):
    page.goto(f"{base}/inloggen/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/inloggen/authenticator-koppelen/" in page.url:
        page.goto(f"{base}/inloggen/tweede-stap/")
    page.fill("#id_token", code)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if "/inloggen/" in page.url:
        sys.exit(f"{username}: not signed in (a used backup code?)")


def main(base, groningen_code, duo_code):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(page, base, "groningen", groningen_code)
        for path, name in PORTAL:
            page.goto(base + path)
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
        admin = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        sign_in(admin, base, "duo-beheer", duo_code)
        admin.goto(f"{base}/beheer/controlekamer/")
        admin.screenshot(path=str(OUT / "demo-06-controlekamer.png"), full_page=True)
        admin.goto(f"{base}/beheer/pib/person/")
        admin.click("#result_list tbody tr:first-child th a")
        admin.wait_for_load_state()
        admin.screenshot(path=str(OUT / "admin-person.png"), full_page=True)
        browser.close()


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3])
