"""Anchors: a verified head written to a file kept away from the store (another machine,
write-once storage, a signed log), so that a later verify can prove nothing was cut off."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .chain_report import ChainReport
from .errors import StoreError


@dataclass(frozen=True, slots=True)
class Anchor:
    """A head seen earlier, kept outside the store: position N had this hash.

    The chain alone cannot show that its tail was cut off (a shorter chain is still a valid
    chain); an anchor kept elsewhere can.
    """

    position: int
    hash: str


def read_anchor(path: str | Path) -> Anchor | None:
    """The anchor in `path`, or None when there is no such file yet."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return Anchor(position=int(data["position"]), hash=str(data["hash"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise StoreError(f"{path}: not a capledger anchor ({error})") from None


def write_anchor(path: str | Path, report: ChainReport) -> Anchor:
    """Record the head of a verified chain in `path` (atomically replacing what was there)."""
    anchor = Anchor(position=report.count, hash=report.head_hash)
    target = Path(path)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(
        json.dumps({"position": anchor.position, "hash": anchor.hash}) + "\n", encoding="utf-8"
    )
    os.replace(temporary, target)
    return anchor
