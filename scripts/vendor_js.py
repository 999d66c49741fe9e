"""Copies the browser libraries the app serves itself from js/node_modules into static/vendor/.

The versions are pinned in js/package.json and js/package-lock.json (with their registry integrity hashes).
To update them: edit the versions in js/package.json, then

    cd js && npm install --ignore-scripts && cd .. && python scripts/vendor_js.py

and commit js/package*.json and static/vendor/. The app never fetches JavaScript from a CDN at run time: a
classroom's network may have no Internet at all.
"""
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "js" / "node_modules"
VENDOR = ROOT / "static" / "vendor"
BUILDS = {"vega": "build/vega.min.js", "vega-lite": "build/vega-lite.min.js", "vega-embed": "build/vega-embed.min.js"}


def main():
    VENDOR.mkdir(parents=True, exist_ok=True)
    versions = {}
    for package, build in BUILDS.items():
        source = MODULES / package
        versions[package] = json.loads((source / "package.json").read_text())["version"]
        shutil.copyfile(source / build, VENDOR / f"{package}.min.js")
        shutil.copyfile(source / "LICENSE", VENDOR / f"{package}.LICENSE")
    (VENDOR / "versions.json").write_text(json.dumps(versions, indent=2) + "\n")
    print(f"static/vendor/: {', '.join(f'{name} {version}' for name, version in versions.items())}")


if __name__ == "__main__":
    main()
