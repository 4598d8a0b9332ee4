"""The campaign's four phases and their dated rules (seed, 二、方法步骤)."""

# (code, label, start MM-DD, end MM-DD), in the seed's order. 动员部署 has only an end in the
# seed ("4月25日前"); it starts with the campaign, 03-01 by default, like 分类定级
# ("3月至4月底"). Window ends are inclusive.
PHASES: tuple[tuple[str, str, str, str], ...] = (
    ("mobilize", "动员部署", "03-01", "04-25"),
    ("classify", "分类定级", "03-01", "04-30"),
    ("implement", "深入实施", "05-01", "08-31"),
    ("accept", "总结验收", "08-01", "09-30"),
)
