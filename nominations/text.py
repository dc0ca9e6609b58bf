"""Small helpers for Chinese text shown to people."""
from __future__ import annotations


def quoted(text: str) -> str:
    """``text`` inside “…”: quotation marks already in it become the inner ‘…’ (GB/T 15834),
    and a text that is wholly quoted keeps its own, so a title is never wrapped twice:
    “精益+数字化”双轮驱动 -> “‘精益+数字化’双轮驱动”."""
    text = (text or "").strip()
    if text.startswith("“") and text.endswith("”") and text.count("“") == 1 and text.count("”") == 1:
        return text
    return "“" + text.replace("“", "‘").replace("”", "’") + "”"


def bracketed(text: str) -> str:
    """``text`` inside （…）without nesting: 组织（先进质量管理模式） -> （组织·先进质量管理模式）."""
    inner = (text or "").strip()
    if inner.endswith("）") and "（" in inner:
        head, _, tail = inner[:-1].partition("（")
        inner = f"{head.strip()}·{tail.strip()}" if head.strip() else tail
    return f"（{inner}）"
