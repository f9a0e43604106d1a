"""The figure normalizer: every figure form of the corpus, with exact normalized fields."""

from __future__ import annotations

from typing import Any

import pytest

from aicities.annotation.normalize import NormalizeError, find_figures, normalize_figure
from aicities.annotation.schema import NORM_FIELDS


def N(**fields: Any) -> dict[str, Any]:
    """All six normalized fields, None where not given."""
    return {key: fields.get(key) for key in NORM_FIELDS}


# Every figure of the five articles as the rules layer finds it (text as written, traditional
# script included), the document's publication date for DATEs, and the exact fields.
CORPUS = [
    ('2025-02-15 12:01:12', 'DATE', '2025-02-15', N(iso='2025-02-15T12:01:12')),  # 000
    ('蛇年春节', 'DATE', '2025-02-15', N(iso='2025-01-29')),  # 000
    ('去年', 'DATE', '2025-02-15', N(iso='2024')),  # 000
    ('今天', 'DATE', '2025-02-15', N(iso='2025-02-15')),  # 000
    ('2月11日', 'DATE', '2025-02-15', N(iso='2025-02-11')),  # 000
    ('90%以上', 'PERCENT', None, N(value=0.9, modifier='more_than')),  # 000
    ('不到140人', 'QUANTITY', None, N(value=140, unit='人', modifier='less_than')),  # 000
    ('数十年', 'DURATION', None, N(modifier='approx', iso='P20Y', iso_max='P90Y')),  # 000
    ('667家', 'QUANTITY', None, N(value=667, unit='家', modifier='exact')),  # 000
    ('2100多家', 'QUANTITY', None, N(value=2100, unit='家', modifier='more_than')),  # 000
    ('477家', 'QUANTITY', None, N(value=477, unit='家', modifier='exact')),  # 000
    ('81家', 'QUANTITY', None, N(value=81, unit='家', modifier='exact')),  # 000
    ('32家', 'QUANTITY', None, N(value=32, unit='家', modifier='exact')),  # 000
    ('7家', 'QUANTITY', None, N(value=7, unit='家', modifier='exact')),  # 000
    ('2024年1~11月', 'DATE', '2025-02-15', N(iso='2024-01/2024-11')),  # 000
    ('2362亿元', 'MONEY', None, N(value=236200000000, unit='CNY', modifier='exact')),  # 000
    ('1月24日', 'DATE', '2025-02-15', N(iso='2025-01-24')),  # 000
    ('2025年底', 'DATE', '2025-02-15', N(iso='2025-12')),  # 000
    ('2024年6月', 'DATE', '2025-02-15', N(iso='2024-06')),  # 000
    ('1月17日', 'DATE', '2025-02-15', N(iso='2025-01-17')),  # 000
    ('2024年', 'DATE', '2025-02-15', N(iso='2024')),  # 000
    ('6%', 'PERCENT', None, N(value=0.06, modifier='exact')),  # 000
    ('12516.7亿元', 'MONEY', None, N(value=1251670000000, unit='CNY', modifier='exact')),  # 000
    ('近一半', 'PERCENT', None, N(value=0.5, modifier='approx')),  # 000
    ('7.1%', 'PERCENT', None, N(value=0.071, modifier='exact')),  # 000
    ('最高1亿元', 'MONEY', None, N(value=100000000, unit='CNY', modifier='at_most')),  # 000
    ('最高1000万元', 'MONEY', None, N(value=10000000, unit='CNY', modifier='at_most')),  # 000
    ('超過2500家', 'QUANTITY', None, N(value=2500, unit='家', modifier='more_than')),  # 001
    ('今年', 'DATE', '2025', N(iso='2025')),  # 001
    ('90秒', 'DURATION', None, N(modifier='exact', iso='PT90S')),  # 001
    ('50萬臺', 'QUANTITY', None, N(value=500000, unit='台', modifier='exact')),  # 001
    ('100萬臺', 'QUANTITY', None, N(value=1000000, unit='台', modifier='exact')),  # 001
    ('上百種', 'QUANTITY', None, N(value=100, unit='种', modifier='at_least')),  # 001
    ('15條', 'QUANTITY', None, N(value=15, unit='条', modifier='exact')),  # 001
    ('今年初', 'DATE', '2025', N(iso='2025-01')),  # 001
    ('三年', 'DURATION', None, N(modifier='exact', iso='P3Y')),  # 001
    ('最長一年', 'DURATION', None, N(modifier='at_most', iso='P1Y')),  # 001
    ('最高100萬元', 'MONEY', None, N(value=1000000, unit='CNY', modifier='at_most')),  # 001
    ('一年前', 'DATE', '2025', N(iso='2024')),  # 001
    ('兩項', 'QUANTITY', None, N(value=2, unit='项', modifier='exact')),  # 001
    ('超過600億元', 'MONEY', None, N(value=60000000000, unit='CNY', modifier='more_than')),  # 001
    ('30%', 'PERCENT', None, N(value=0.3, modifier='exact')),  # 001
    ('21%', 'PERCENT', None, N(value=0.21, modifier='exact')),  # 001
    ('40秒', 'DURATION', None, N(modifier='exact', iso='PT40S')),  # 001
    ('24小時', 'DURATION', None, N(modifier='exact', iso='PT24H')),  # 001
    ('超5倍', 'QUANTITY', None, N(value=5, unit='倍', modifier='more_than')),  # 001
    ('2021年底', 'DATE', '2025', N(iso='2021-12')),  # 001
    ('400多個', 'QUANTITY', None, N(value=400, unit='个', modifier='more_than')),  # 001
    ('3.5萬家', 'QUANTITY', None, N(value=35000, unit='家', modifier='exact')),  # 001
    ('2027年', 'DATE', '2025', N(iso='2027')),  # 001
    ('30個', 'QUANTITY', None, N(value=30, unit='个', modifier='exact')),  # 001
    ('5年', 'DURATION', None, N(modifier='exact', iso='P5Y')),  # 001
    ('2021年3月', 'DATE', '2023-01', N(iso='2021-03')),  # 002
    ('2019年', 'DATE', '2023-01', N(iso='2019')),  # 002
    ('2022年', 'DATE', '2023-01', N(iso='2022')),  # 002
    ('2729億元', 'MONEY', None, N(value=272900000000, unit='CNY', modifier='exact')),  # 002
    ('6年', 'DURATION', None, N(modifier='exact', iso='P6Y')),  # 002
    ('69.9%', 'PERCENT', None, N(value=0.699, modifier='exact')),  # 002
    ('2022年末', 'DATE', '2023-01', N(iso='2022-12')),  # 002
    ('超過1356家', 'QUANTITY', None, N(value=1356, unit='家', modifier='more_than')),  # 002
    ('71項', 'QUANTITY', None, N(value=71, unit='项', modifier='exact')),  # 002
    ('34個', 'QUANTITY', None, N(value=34, unit='个', modifier='exact')),  # 002
    ('60家', 'QUANTITY', None, N(value=60, unit='家', modifier='exact')),  # 002
    ('超10億元', 'MONEY', None, N(value=1000000000, unit='CNY', modifier='more_than')),  # 002
    ('1家', 'QUANTITY', None, N(value=1, unit='家', modifier='exact')),  # 002
    ('超億元', 'MONEY', None, N(value=100000000, unit='CNY', modifier='more_than')),  # 002
    ('2家', 'QUANTITY', None, N(value=2, unit='家', modifier='exact')),  # 002
    ('15家', 'QUANTITY', None, N(value=15, unit='家', modifier='exact')),  # 002
    ('近300家', 'QUANTITY', None, N(value=300, unit='家', modifier='approx')),  # 002
    ('30余家', 'QUANTITY', None, N(value=30, unit='家', modifier='more_than')),  # 002
    ('2023年', 'DATE', '2023-01', N(iso='2023')),  # 002
    ('超300億元', 'MONEY', None, N(value=30000000000, unit='CNY', modifier='more_than')),  # 002
    ('超2000億元', 'MONEY', None, N(value=200000000000, unit='CNY', modifier='more_than')),  # 002
    ('超1000家', 'QUANTITY', None, N(value=1000, unit='家', modifier='more_than')),  # 002
    ('超億級', 'MONEY', None, N(value=100000000, unit='CNY', modifier='more_than')),  # 002
    ('10家', 'QUANTITY', None, N(value=10, unit='家', modifier='exact')),  # 002
    ('超10億級', 'MONEY', None, N(value=1000000000, unit='CNY', modifier='more_than')),  # 002
    ('5家', 'QUANTITY', None, N(value=5, unit='家', modifier='exact')),  # 002
    ('10個', 'QUANTITY', None, N(value=10, unit='个', modifier='exact')),  # 002
    ('蛇年春节', 'DATE', '2025-02', N(iso='2025-01-29')),  # 003
    ('两座', 'QUANTITY', None, N(value=2, unit='座', modifier='exact')),  # 003
    ('6个', 'QUANTITY', None, N(value=6, unit='个', modifier='exact')),  # 003
    ('90%', 'PERCENT', None, N(value=0.9, modifier='exact')),  # 003
    ('六分之一', 'PERCENT', None, N(value=0.166667, modifier='exact')),  # 003
    ('超4100家', 'QUANTITY', None, N(value=4100, unit='家', modifier='more_than')),  # 003
    ('千亿级', 'MONEY', None, N(value=100000000000, unit='CNY', modifier='at_least')),  # 003
    ('过百亿', 'MONEY', None, N(value=10000000000, unit='CNY', modifier='more_than')),  # 003
    ('27家', 'QUANTITY', None, N(value=27, unit='家', modifier='exact')),  # 003
    ('五亿以上', 'MONEY', None, N(value=500000000, unit='CNY', modifier='more_than')),  # 003
    ('近400家', 'QUANTITY', None, N(value=400, unit='家', modifier='approx')),  # 003
    ('1700多家', 'QUANTITY', None, N(value=1700, unit='家', modifier='more_than')),  # 003
    ('2024年', 'DATE', '2025-02', N(iso='2024')),  # 003
    ('五年前', 'DATE', '2025-02', N(iso='2020')),  # 003
    ('2019年', 'DATE', '2025-02', N(iso='2019')),  # 003
    ('二三十年', 'DURATION', None, N(modifier='approx', iso='P20Y', iso_max='P30Y')),  # 003
    ('50%—60%', 'PERCENT', None, N(value=0.5, value_max=0.6, modifier='exact')),  # 004
    ('2023年', 'DATE', '2025-04', N(iso='2023')),  # 004
    ('年初', 'DATE', '2025-04', N(iso='2025-01')),  # 004
    ('今年', 'DATE', '2025-04', N(iso='2025')),  # 004
    ('2026年', 'DATE', '2025-04', N(iso='2026')),  # 004
    ('1万亿元', 'MONEY', None, N(value=1000000000000, unit='CNY', modifier='exact')),  # 004
    ('4个月', 'DURATION', None, N(modifier='exact', iso='P4M')),  # 004
    ('10期', 'QUANTITY', None, N(value=10, unit='期', modifier='exact')),  # 004
    ('3月31日', 'DATE', '2025-04', N(iso='2025-03-31')),  # 004
    ('90位', 'QUANTITY', None, N(value=90, unit='位', modifier='exact')),  # 004
    ('超过1/3', 'PERCENT', None, N(value=0.333333, modifier='more_than')),  # 004
    ('两个', 'QUANTITY', None, N(value=2, unit='个', modifier='exact')),  # 004
    ('22位', 'QUANTITY', None, N(value=22, unit='位', modifier='exact')),  # 004
    ('20位', 'QUANTITY', None, N(value=20, unit='位', modifier='exact')),  # 004
    ('五年', 'DURATION', None, N(modifier='exact', iso='P5Y')),  # 004
    ('2024年6月26日', 'DATE', '2025-04', N(iso='2024-06-26')),  # 004
    ('去年年底', 'DATE', '2025-04', N(iso='2024-12')),  # 004
    ('2600余家', 'QUANTITY', None, N(value=2600, unit='家', modifier='more_than')),  # 004
    ('今年2月5日', 'DATE', '2025-04', N(iso='2025-02-05')),  # 004
    ('今年3月3日', 'DATE', '2025-04', N(iso='2025-03-03')),  # 004
    ('四份', 'QUANTITY', None, N(value=4, unit='份', modifier='exact')),  # 004
    ('两份', 'QUANTITY', None, N(value=2, unit='份', modifier='exact')),  # 004
    ('去年7月底', 'DATE', '2025-04', N(iso='2024-07')),  # 004
    ('不到一年', 'DURATION', None, N(modifier='less_than', iso='P1Y')),  # 004
    ('春节', 'DATE', '2025-04', N(iso='2025-01-29')),  # 004
    ('去年', 'DATE', '2025-04', N(iso='2024')),  # 004
    ('数百万元', 'MONEY', None,
     N(value=2000000, value_max=9000000, unit='CNY', modifier='approx')),  # 004
    ('一周', 'DURATION', None, N(modifier='exact', iso='P1W')),  # 004
    ('数家', 'QUANTITY', None, N(value=2, value_max=9, unit='家', modifier='approx')),  # 004
    ('不到10张', 'QUANTITY', None, N(value=10, unit='张', modifier='less_than')),  # 004
    ('十几万元', 'MONEY', None,
     N(value=110000, value_max=190000, unit='CNY', modifier='approx')),  # 004
    ('5到10年', 'DURATION', None, N(modifier='exact', iso='P5Y', iso_max='P10Y')),  # 004
    ('20%左右', 'PERCENT', None, N(value=0.2, modifier='approx')),  # 004
    ('最高5亿元', 'MONEY', None, N(value=500000000, unit='CNY', modifier='at_most')),  # 004
    ('50%', 'PERCENT', None, N(value=0.5, modifier='exact')),  # 004
    ('60%', 'PERCENT', None, N(value=0.6, modifier='exact')),  # 004
    ('10个', 'QUANTITY', None, N(value=10, unit='个', modifier='exact')),  # 004
    ('200多万元', 'MONEY', None, N(value=2000000, unit='CNY', modifier='more_than')),  # 004
    ('20余万元', 'MONEY', None, N(value=200000, unit='CNY', modifier='more_than')),  # 004
    ('8000亿元以上', 'MONEY', None, N(value=800000000000, unit='CNY', modifier='more_than')),  # 004
    ('一个小时以内', 'DURATION', None, N(modifier='at_most', iso='PT1H')),  # 004
    ('上百家', 'QUANTITY', None, N(value=100, unit='家', modifier='at_least')),  # 004
    ('数位', 'QUANTITY', None, N(value=2, value_max=9, unit='位', modifier='approx')),  # 004
    ('今年2月底', 'DATE', '2025-04', N(iso='2025-02')),  # 004
    ('7天', 'DURATION', None, N(modifier='exact', iso='P7D')),  # 004
    ('15天', 'DURATION', None, N(modifier='exact', iso='P15D')),  # 004
    ('今年3月底', 'DATE', '2025-04', N(iso='2025-03')),  # 004
    ('最高60万元', 'MONEY', None, N(value=600000, unit='CNY', modifier='at_most')),  # 004
    ('九成', 'PERCENT', None, N(value=0.9, modifier='exact')),  # 004
    ('三类', 'QUANTITY', None, N(value=3, unit='类', modifier='exact')),  # 004
    ('180万元', 'MONEY', None, N(value=1800000, unit='CNY', modifier='exact')),  # 004
    ('几十万元', 'MONEY', None,
     N(value=200000, value_max=900000, unit='CNY', modifier='approx')),  # 004
    ('近90%', 'PERCENT', None, N(value=0.9, modifier='approx')),  # 004
    ('2021年', 'DATE', '2025-04', N(iso='2021')),  # 004
]

# Forms named in the guidelines or the brief that the patterns do not propose on their own.
MORE = [
    ("1/3", "PERCENT", None, N(value=0.333333, modifier="exact")),
    ("近30万干部", "QUANTITY", None, N(value=300000, unit="干部", modifier="approx")),
    ("月余", "DURATION", None, N(iso="P1M", modifier="more_than")),
    ("6年来", "DURATION", None, N(iso="P6Y", modifier="exact")),
    ("半年", "DURATION", None, N(iso="P6M", modifier="exact")),
    ("十几家", "QUANTITY", None, N(value=11, value_max=19, unit="家", modifier="approx")),
    ("数十家", "QUANTITY", None, N(value=20, value_max=90, unit="家", modifier="approx")),
    ("10亿美元", "MONEY", None, N(value=1000000000, unit="USD", modifier="exact")),
    ("一千万元", "MONEY", None, N(value=10000000, unit="CNY", modifier="exact")),
    ("两千亿元", "MONEY", None, N(value=200000000000, unit="CNY", modifier="exact")),
    ("1万亿", "MONEY", None, N(value=1000000000000, unit="CNY", modifier="exact")),
    ("100-200万元", "MONEY", None,
     N(value=1000000, value_max=2000000, unit="CNY", modifier="exact")),
    ("1万-2万元", "MONEY", None, N(value=10000, value_max=20000, unit="CNY", modifier="exact")),
    ("5-10万家", "QUANTITY", None,
     N(value=50000, value_max=100000, unit="家", modifier="exact")),
    ("50—60%", "PERCENT", None, N(value=0.5, value_max=0.6, modifier="exact")),
    ("一半", "PERCENT", None, N(value=0.5, modifier="exact")),
    ("2024年1-11月", "DATE", None, N(iso="2024-01/2024-11")),
    ("2025年上半年", "DATE", None, N(iso="2025-01/2025-06")),
    ("年底", "DATE", "2025-04", N(iso="2025-12")),
    ("3月31日", "DATE", "2025", N(iso="2025-03-31")),
    # Relative dates need an anchor; 今天 needs a day-precise one.
    ("今年", "DATE", None, N()),
    ("五年前", "DATE", None, N()),
    ("今天", "DATE", "2025", N()),
]


@pytest.mark.parametrize(("text", "label", "anchor", "expected"), CORPUS + MORE)
def test_normalize_figure(text, label, anchor, expected):
    assert normalize_figure(text, label, anchor=anchor) == expected


@pytest.mark.parametrize(
    ("text", "label", "message"),
    [
        ("很多", "QUANTITY", "no number at the start of '很多'"),
        ("667", "QUANTITY", "'667': a quantity needs a classifier or measure word"),
        ("100", "MONEY", "'100': money needs a currency (元, 美元 …) or a 万/亿 scale"),
        ("abc%", "PERCENT", "'abc%' is not a percentage, fraction or share"),
        ("667家", "ORG", "'ORG' is not a figure label"),
        ("目前", "DATE", "'目前' is not a date the normalizer can read"),
        ("五个", "DURATION", "'五个': a duration needs a unit of time"),
        (" ", "MONEY", "empty figure"),
    ],
)
def test_unreadable_figures_raise(text, label, message):
    with pytest.raises(NormalizeError) as err:
        normalize_figure(text, label)
    assert str(err.value) == message
    assert isinstance(err.value, ValueError)


def _found(text: str) -> list[tuple[str, str]]:
    return [(text[start:end], label) for start, end, label in find_figures(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # approximators inside, verbs (达, 占) outside  [000:p021, 000:p031]
        ("2024年1~11月,苏州全市AI营收总规模达2362亿元。",
         [("2024年1~11月", "DATE"), ("2362亿元", "MONEY")]),
        ("占到了GDP近一半,同比增长7.1%。", [("近一半", "PERCENT"), ("7.1%", "PERCENT")]),
        ("坐拥包括667家核心企业在内的2100多家AI相关企业",
         [("667家", "QUANTITY"), ("2100多家", "QUANTITY")]),
        ("DeepSeek的员工还不到140人", [("不到140人", "QUANTITY")]),
        # traditional script, offsets unchanged  [001:p003, 002:p016]
        ("整機年產能有望從50萬臺提升至100萬臺。",
         [("50萬臺", "QUANTITY"), ("100萬臺", "QUANTITY")]),
        ("已集聚人工智能相關企業超過1356家,累計發布應用場景清單71項",
         [("超過1356家", "QUANTITY"), ("71項", "QUANTITY")]),
        # implied yuan before 企业/产值  [003:p030, 002:p023]
        ("年产值千亿级企业5家,过百亿企业27家,五亿以上企业近400家。",
         [("千亿级", "MONEY"), ("5家", "QUANTITY"), ("过百亿", "MONEY"), ("27家", "QUANTITY"),
          ("五亿以上", "MONEY"), ("近400家", "QUANTITY")]),
        ("培育超億級產值企業10家", [("超億級", "MONEY"), ("10家", "QUANTITY")]),
        # two figures side by side, ranges  [004:p059, 004:p032, 004:p004]
        ("也需要给予5年180万元补贴", [("5年", "DURATION"), ("180万元", "MONEY")]),
        ("与人医相比落后5到10年", [("5到10年", "DURATION")]),
        ("深圳市50%—60%的人工智能企业", [("50%—60%", "PERCENT")]),
        ("院士占比超过1/3", [("超过1/3", "PERCENT")]),
        ("价格可能低至十几万元。", [("十几万元", "MONEY")]),
        ("需要数百万元投入", [("数百万元", "MONEY")]),
        ("接触数家服务商", [("数家", "QUANTITY")]),
        ("将人才划分为ABC三类", [("三类", "QUANTITY")]),
        # relative dates  [004:p012, 004:p005, 004:p016]
        ("截至去年年底,深圳已经集聚人工智能企业2600余家",
         [("去年年底", "DATE"), ("2600余家", "QUANTITY")]),
        ("年初,“杭州六小龙”出圈", [("年初", "DATE")]),
        ("今年3月3日,深圳更是连续发布四份文件", [("今年3月3日", "DATE"), ("四份", "QUANTITY")]),
        ("2025-02-15 12:01:12", [("2025-02-15 12:01:12", "DATE")]),
        # not figures: ordinals, the indefinite 一, idioms, 两大, codes, 多数  [000:p025 …]
        ("随着1月17日乐聚第100台全尺寸人形机器人交付", [("1月17日", "DATE")]),
        ("苏州科创板上市企业全国第三", []),
        ("一家企业的技术突围", []),
        ("赋能千行百业,推向千家万户,作为百年大计", []),
        ("广东兼具机电技术和数智技术两大优势", []),
        ("运行DeepSeek-R1模型", []),
        ("比如多数X光片没有匹配文字报告", []),
        ("多年底蕴", []),
    ],
)
def test_find_figures(text, expected):
    assert _found(text) == expected


def test_find_figures_offsets_are_paragraph_relative():
    text = "深圳发放最高5億元“訓力券”"
    assert find_figures(text) == [(4, 9, "MONEY")]
    assert text[4:9] == "最高5億元"
