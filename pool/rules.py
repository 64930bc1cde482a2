"""Small pure rules shared by services, imports and filters: phones and the Chinese names of choices."""

import re

from .models import Category, FeeGrade, Level

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")

# The words of the import file (SPEC section 3) for each choice.
LEVEL_WORDS = {
    "省级": Level.PROVINCE,
    "市级": Level.CITY,
    "县级": Level.COUNTY,
    "单位级": Level.UNIT,
    "单位": Level.UNIT,
}
LEVEL_NAMES = {Level.PROVINCE: "省级", Level.CITY: "市级", Level.COUNTY: "县级", Level.UNIT: "单位级"}
CATEGORY_NAMES = {
    Category.THEORY: "理论政策",
    Category.ECONOMY: "经济发展",
    Category.HUMANITIES: "人文社科",
    Category.MANAGEMENT: "综合管理",
    Category.SKILLS: "技能素养",
    Category.MODELS: "先进模范",
}
CATEGORY_WORDS = {name: value for value, name in CATEGORY_NAMES.items()}
FEE_GRADE_NAMES = {
    FeeGrade.ASSOCIATE_SENIOR: "副高级",
    FeeGrade.FULL_SENIOR: "正高级",
    FeeGrade.ACADEMICIAN: "院士或全国知名专家",
    FeeGrade.OTHER: "其他",
}
FEE_GRADE_WORDS = {name: value for value, name in FEE_GRADE_NAMES.items()} | {"院士": FeeGrade.ACADEMICIAN}


def normalize_phone(value: str) -> str:
    """Digits only, without a +86 prefix; '' stays ''."""
    digits = re.sub(r"[\s\-()（）]", "", str(value or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def is_valid_phone(value: str) -> bool:
    return bool(PHONE_RE.match(value))


def category_from_word(word: str) -> str | None:
    """理论政策, 理论政策类 or the code ``theory``."""
    word = (word or "").strip()
    if word in Category.values:
        return word
    return CATEGORY_WORDS.get(word.removesuffix("类"))


def level_from_word(word: str) -> str | None:
    word = (word or "").strip()
    if word in Level.values:
        return word
    return LEVEL_WORDS.get(word)
