"""Document metadata: title, date, place, kind, doc id. (minimal version)"""

from __future__ import annotations

import hashlib
import re

from ragtool.models import DocMeta


def doc_id_for(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def extract_meta(text: str, header: dict[str, str], source: str = "", file_hash: str = "") -> DocMeta:
    title = header.get("title") or text.split("\n", 1)[0][:80]
    date = header.get("date") if re.fullmatch(r"\d{4}-\d{2}-\d{2}", header.get("date") or "") else None
    places = sorted(set(re.findall(r"[\u4e00-\u9fff]{2,3}[镇区县市]", title + text[:300])))
    kind = "政府工作报告" if "政府工作报告" in title else ("党代会" if "代表大会" in title else "other")
    return DocMeta(
        doc_id=doc_id_for(text), title=title, date=date, year=int(date[:4]) if date else None,
        place=places[0] if places else None, places=places, kind=kind,  # type: ignore[arg-type]
        url=header.get("url"), source=source, file_hash=file_hash,
    )
