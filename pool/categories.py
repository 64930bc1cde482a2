"""The sub-areas of the six categories, as the source lists them, and how to guess them from text.

The table seeds ``SubArea`` (migration 0002 and ``subareas_sync``); admins may add sub-areas in the
Django admin. The keywords let an import without a 子领域 column tag each instructor from its topics and
bio; an admin can correct the tags afterwards.
"""

import re

from .models import FeeGrade

# category → [(sub-area, keywords)], in the order of the source (关于建立党员教育“先锋师资库”的意见, 二).
SUB_AREAS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "theory": [
        (
            "马克思主义理论",
            (
                "马克思主义",
                "唯物主义",
                "唯物辩证法",
                "经典著作",
                "基本原理",
                "创新理论",
                "理论武装",
                "治国理政",
                "新时代中国特色社会主义思想",
            ),
        ),
        (
            "党的建设",
            (
                "党的建设",
                "党建",
                "党章",
                "党内法规",
                "党内监督",
                "纪律处分",
                "廉洁",
                "基层党组织",
                "三会一课",
                "组织生活",
                "党员发展",
                "支部",
                "党内政治生活",
            ),
        ),
        (
            "党史教育",
            ("党史", "红色", "建党精神", "革命传统", "雨花英烈", "淮海战役", "新四军", "周恩来精神", "红色基因"),
        ),
        ("党和国家的重大决策部署", ("重大决策", "决策部署", "全会精神", "政策解读", "大会精神")),
        ("国情、世情和形势教育", ("形势", "国情", "世情", "百年未有之大变局", "国际关系", "中美关系", "周边外交")),
        ("国内外重大事件和热点问题解读", ("热点", "重大事件", "社会热点")),
    ],
    "economy": [
        ("区域经济", ("区域经济", "区域协调", "长三角", "城市群", "苏南苏北")),
        ("产业经济", ("产业经济", "制造业", "智能制造", "产业链", "先进制造", "人工智能产业", "大数据产业")),
        (
            "农村经济",
            (
                "农村经济",
                "农村集体经济",
                "乡村振兴",
                "家庭农场",
                "农民专业合作社",
                "农业产业化",
                "特色田园乡村",
                "乡村旅游",
                "农家乐",
            ),
        ),
        ("互联网经济", ("互联网", "电商", "电子商务", "直播带货", "平台经济", "数字经济", "数字化转型", "网络营销")),
        ("财政金融", ("金融", "财政", "非法集资", "政府债务")),
        ("经济管理", ("经济管理", "营商环境", "国有资产", "民营经济", "全域旅游", "文旅融合")),
        ("企业管理", ("企业管理", "公司治理", "国企改革", "现代企业制度", "中小企业", "非公企业")),
    ],
    "humanities": [
        ("哲学", ("哲学", "思维方法", "逻辑", "思辨")),
        ("法律", ("法律", "法治", "民法典", "宪法", "物权", "合同", "婚姻家庭", "继承", "普法", "依法行政")),
        ("文学", ("文学", "诗词", "阅读")),
        ("艺术", ("艺术", "音乐", "戏曲", "书法", "审美", "美术")),
        ("历史", ("历史", "地方史", "运河文化", "吴文化", "文化名城", "非物质文化遗产")),
        ("新闻传播", ("新闻", "传播", "媒体", "舆情", "宣传思想")),
    ],
    "management": [
        (
            "公共管理",
            (
                "公共管理",
                "公共服务",
                "公共政策",
                "行政效能",
                "政府治理",
                "生态环境",
                "河长制",
                "长江大保护",
                "太湖治理",
                "污染防治",
            ),
        ),
        ("领导科学", ("领导科学", "领导力", "科学决策", "执行力", "团队建设")),
        ("人力资源管理", ("人力资源", "人才引进", "人才培养", "绩效", "干部队伍")),
        ("民生建设", ("民生", "养老", "社会保障", "医养结合")),
        ("群众工作", ("群众工作", "群众路线", "联系服务群众", "信访", "矛盾纠纷")),
        ("社会治理", ("社会治理", "社区治理", "基层治理", "网格化", "自治法治德治")),
        ("应急管理", ("应急", "防汛", "抗旱", "防灾", "减灾", "安全生产")),
        ("农村社区建设", ("农村社区", "村庄规划", "美丽乡村", "人居环境", "垃圾分类")),
    ],
    "skills": [
        (
            "实用技术",
            (
                "实用技术",
                "种植",
                "养殖",
                "栽培",
                "果树",
                "蔬菜",
                "病虫害",
                "防疫",
                "设施农业",
                "温室",
                "水产",
                "畜禽",
                "生猪",
                "小龙虾",
                "河蟹",
                "大闸蟹",
                "稻虾",
                "果园",
                "修剪",
                "绿色防控",
                "粪污",
                "智能手机",
                "数字技能",
                "电子政务",
                "网络安全",
                "防骗",
                "数字鸿沟",
            ),
        ),
        ("创业就业技能", ("创业", "就业", "职业规划", "小微企业")),
        (
            "医疗保健",
            (
                "医疗",
                "保健",
                "急救",
                "心肺复苏",
                "AED",
                "慢性病",
                "高血压",
                "糖尿病",
                "用药",
                "救护",
                "意外伤害",
                "健康生活",
            ),
        ),
        ("心理健康", ("心理", "情绪", "亲子", "青少年", "未成年人", "家风")),
    ],
    "models": [
        ("领军人才", ("领军人才", "科技创新", "科研", "科技成果", "创新创业", "技能大师", "工匠")),
        (
            "先进典型",
            (
                "先进典型",
                "先进事迹",
                "劳模",
                "劳动模范",
                "岗位建功",
                "优秀村党组织书记",
                "基层干部",
                "乡村带头人",
                "带领群众致富",
                "扎根基层",
                "援鄂",
                "抗疫",
                "医护",
                "白衣天使",
                "公共卫生",
            ),
        ),
        (
            "模范人物",
            (
                "模范人物",
                "时代楷模",
                "身边好人",
                "见义勇为",
                "道德模范",
                "志愿",
                "公益",
                "孝老爱亲",
                "戍边",
                "退役军人",
                "双拥",
                "军人",
                "国防",
                "文明实践",
            ),
        ),
    ],
}

# 职称 → fee grade (财行〔2016〕540号 pays by 副高级 / 正高级 / 院士·全国知名专家; others by reference).
_FULL_SENIOR = re.compile(r"^(正高级.*|教授|研究员|主任医师|主任药师|主任护师|编审|译审|研究馆员|教授级.*|特级教师)$")
_ASSOCIATE_SENIOR = re.compile(
    r"^(副高级.*|副教授|副研究员|副主任医师|副主任药师|副主任护师|副编审|副译审|副研究馆员|"
    r"高级(工程师|经济师|农艺师|兽医师|畜牧师|讲师|会计师|审计师|统计师|教师|政工师|记者|编辑|实验师))$"
)
_ACADEMICIAN = re.compile(r"院士|全国知名专家")


def fee_grade_for_title(title: str) -> str:
    """The fee grade a professional title implies; an admin may set another."""
    title = (title or "").strip()
    if _ACADEMICIAN.search(title):
        return FeeGrade.ACADEMICIAN
    if _FULL_SENIOR.match(title):
        return FeeGrade.FULL_SENIOR
    if _ASSOCIATE_SENIOR.match(title):
        return FeeGrade.ASSOCIATE_SENIOR
    return FeeGrade.OTHER


def guess_sub_areas(
    candidates: list[tuple[int, list[str]]], *, topics: list[str], bio: str, at_most: int = 3
) -> list[int]:
    """The ids of the sub-areas whose keywords the text names most, best first.

    ``candidates`` are ``(sub_area_id, keywords)`` of the instructor's category. A keyword in a topic
    counts twice, in the bio once; a sub-area needs two points, or be the only one named at all.
    """
    topic_text = "；".join(topics)
    scores = []
    for position, (pk, keywords) in enumerate(candidates):
        score = sum(2 * topic_text.count(k) + bio.count(k) for k in keywords)
        if score:
            scores.append((-score, position, pk))
    scores.sort()
    strong = [pk for neg, _pos, pk in scores if -neg >= 2]
    if strong:
        return strong[:at_most]
    return [pk for _neg, _pos, pk in scores[:1]]


def subareas_sync(sub_area_model) -> int:
    """Create the sub-areas of the table that are missing (keeps admins' additions); returns how many."""
    created = 0
    for category, rows in SUB_AREAS.items():
        for order, (name, keywords) in enumerate(rows):
            _obj, was_created = sub_area_model.objects.get_or_create(
                category=category, name=name, defaults={"keywords": "\n".join(keywords), "order": order}
            )
            created += was_created
    return created
