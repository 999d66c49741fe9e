"""Your own CSV in a real headless Chromium against `streamlit run app.py`: the file goes through the real
uploader (screenshots in artifacts/)."""
import numpy as np
from playwright.sync_api import expect

from apps import LAB_CHARTS
from helpers.browser import CHARTS, require_chromium, wait_finished
from helpers.browser import screenshot as shoot

require_chromium()

def rings_csv(features=2, rows=400, seed=1) -> bytes:
    """An inner disc and an outer ring, in centimetres and kilograms (scales a student would bring)."""
    rng = np.random.default_rng(seed)
    radius = np.where(np.arange(rows) % 2 == 0, rng.uniform(0, 1, rows), rng.uniform(1.5, 2.5, rows))
    angle = rng.uniform(0, 2 * np.pi, rows)
    columns = [100 * radius * np.cos(angle), 0.5 * radius * np.sin(angle), *rng.normal(0, 1, (features - 2, rows))]
    label = np.where(radius < 1.25, "inner", "outer")
    header = ",".join(["width_cm", "weight_kg", *(f"extra_{k}" for k in range(features - 2)), "ring"])
    return "\n".join([header] + [",".join([*(f"{c[i]:.4f}" for c in columns), label[i]]) for i in range(rows)]).encode()


def choose_upload(page):
    box = page.get_by_role("combobox", name="dataset")
    box.click()  # Streamlit's selectbox opens its list; typing filters it (a rerun may have closed it)
    box.fill("your own")
    page.get_by_role("option", name="your own CSV").click()
    expect(page.get_by_text("Upload a CSV to train on it.")).to_be_visible(timeout=30_000)


def upload(page, name: str, data: bytes):
    uploader = page.locator("[data-testid='stFileUploader']").filter(has_text="CSV file")  # not "Open a saved run"
    uploader.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data})


def test_a_csv_uploaded_in_the_browser_trains_shows_its_boundary_and_a_bad_one_keeps_the_run(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{server}/?steps=150&depth=4&width=16&activation=relu&initializer=he_normal&learning_rate=0.1")
    expect(page.get_by_role("heading", name="Gradient Flow Lab")).to_be_visible(timeout=60_000)
    wait_finished(page)
    choose_upload(page)

    upload(page, "rings.csv", rings_csv(2))
    expect(page.get_by_text("400 rows · 2 features · 2 classes", exact=False)).to_be_visible(timeout=30_000)
    expect(page.get_by_role("combobox", name="label column")).to_be_visible()
    expect(page).to_have_url(__import__("re").compile(r"dataset=upload%3A[0-9a-f]{12}"), timeout=30_000)
    wait_finished(page)
    expect(page.get_by_text("Data — width_cm across, weight_kg up")).to_be_visible()
    expect(page.locator(CHARTS)).to_have_count(LAB_CHARTS)  # as for spirals: the Data view draws the boundary
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    charts = page.locator(CHARTS).count()
    shoot(page, "upload_2_features_1400x900.png")
    shoot(page, "upload_2_features_all_views.png", full=True)

    lines = rings_csv(2).decode().split("\n")
    lines[4] = "wide," + lines[4].split(",", 1)[1]
    lines[9] = "," + lines[9].split(",", 1)[1]
    upload(page, "rings_broken.csv", "\n".join(lines).encode())
    error = page.locator("[data-testid='stAlertContentError']")
    expect(error).to_contain_text("rings_broken.csv cannot be used.", timeout=30_000)
    expect(error).to_contain_text("row 5, column width_cm: wide is not a number")  # the names as code, without quotes
    expect(error).to_contain_text("row 10, column width_cm: missing")
    expect(page.get_by_text("rings_broken.csv cannot be used (its problems are listed under Data)")).to_be_visible()
    page.wait_for_timeout(1500)
    expect(page.get_by_text("finished · step 150 of 150", exact=False)).to_be_visible()  # the run stays
    assert page.locator(CHARTS).count() == charts
    assert page.locator("[data-testid='stException']").count() == 0
    error.scroll_into_view_if_needed()  # where the top message points the student
    page.wait_for_timeout(500)
    shoot(page, "upload_bad_csv_1400x900.png")

    upload(page, "rings_3.csv", rings_csv(3))
    expect(page.get_by_text("400 rows · 3 features · 2 classes", exact=False)).to_be_visible(timeout=30_000)
    wait_finished(page)
    expect(page.get_by_text("your CSV has 3 inputs, so there is no 2-D picture of it.")).to_be_visible()
    expect(page.locator(CHARTS)).to_have_count(LAB_CHARTS - 1)  # every view but the boundary
    assert page.locator("[data-testid='stException']").count() == 0
