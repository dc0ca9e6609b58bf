"""The six GB/Z 19579 scoring bands with their descriptions (DOMAIN.md §3.2).

Process items are judged on ADLI (方法 Approach, 展开 Deployment, 学习 Learning,
整合 Integration); results items on LeTCI (水平 Levels, 趋势 Trends, 对比 Comparisons,
整合 Integration). The judge picks the band that fits the item as a whole, then a
percentage in 5 % steps inside it; the band is not a sum of the four factors.
"""
from __future__ import annotations

from dataclasses import dataclass

from judging.enums import PERCENT_STEP, CriterionKind


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    process: str
    result: str

    @property
    def label(self) -> str:
        return f"{self.low}%–{self.high}%"

    @property
    def percents(self) -> list[int]:
        return list(range(self.low, self.high + 1, PERCENT_STEP))

    def text(self, kind: str) -> str:
        return self.result if kind == CriterionKind.RESULT else self.process


BANDS: tuple[Band, ...] = (
    Band(0, 5,
         "没有系统的方法，仅有零散的个例；工作是被动应对的。",
         "没有结果或结果很差；没有趋势和对比数据。"),
    Band(10, 25,
         "开始以系统的方法应对本条款的基本要求；方法刚开始展开；改进处于初始阶段。",
         "有少量结果，显示出初步的改进。"),
    Band(30, 45,
         "以有效、系统的方法应对本条款的基本要求；方法在多数部门得到展开；开始进行系统的改进。",
         "在许多方面取得良好的绩效水平；有初步的趋势和对比数据。"),
    Band(50, 65,
         "以有效、系统的方法应对本条款的总体要求；方法得到良好展开；基于事实进行改进；与组织需求协调一致。",
         "多数方面呈现改进趋势；部分对比显示良好的绩效。"),
    Band(70, 85,
         "以有效、系统的方法应对本条款的多项要求，没有明显差距；学习与创新成为管理工具；方法与组织需求整合。",
         "结果良好至优秀，趋势持续向好；在许多对比中处于领先地位。"),
    Band(90, 100,
         "方法全面展开，没有差距；创新成果在全组织分享；方法与组织需求完全整合。",
         "结果优秀并持续保持；处于行业标杆领先地位。"),
)

FACTORS = {
    CriterionKind.PROCESS: [("A", "方法", "方法的系统性和适宜性"), ("D", "展开", "方法应用的广度和一致性"),
                            ("L", "学习", "评价、改进、创新和分享"), ("I", "整合", "与组织需求及其他条款的协调一致")],
    CriterionKind.RESULT: [("Le", "水平", "当前的绩效水平"), ("T", "趋势", "改进的速度和广度"),
                           ("C", "对比", "与竞争对手和标杆的对比"), ("I", "整合", "结果是否覆盖关键要求和细分")],
}


def band_for(percent: int | None) -> Band | None:
    if percent is None:
        return None
    for band in BANDS:
        if band.low <= percent <= band.high:
            return band
    return None


def bands_for_kind(kind: str) -> list[dict]:
    """The six bands as plain data for a criterion kind (templates and the API)."""
    return [{"low": b.low, "high": b.high, "label": b.label, "text": b.text(kind), "percents": b.percents}
            for b in BANDS]


def percent_problem(value) -> str | None:
    """Why `value` is not an allowed item percentage (None when it is)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "分数必须是整数百分比"
    if not 0 <= value <= 100 or value % PERCENT_STEP:
        return "分数必须是 0–100 之间 5 的倍数"
    return None
