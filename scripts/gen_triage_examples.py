"""Write packs/triage/<pack>.jsonl: labelled examples for question triage (W-19).

Each pack's in-scope questions come from its rule book's own categories (forecast /
warning / science for the weather bureau, admissions / campus for the college …); the
out-of-scope ones (government affairs, complaints about other bodies, abuse) and the
non-questions are shared, with a few pack-flavoured non-questions so that a topic word
alone does not make a question. Templates are combined with slot words; fixed seed,
so a rerun writes the same files.  Run: .venv/bin/python scripts/gen_triage_examples.py"""

from __future__ import annotations

import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "packs" / "triage"

ASK = ["请问", "", "小编，", "你好，", "想问一下，", "麻烦问下，", "官方能说下", "求解答："]
END = ["？", "", "？谢谢", "?", "呀？", "？急", "，谢谢小编"]

# pack -> topic -> (templates, slot words for {x})
IN_SCOPE: dict[str, dict[str, tuple[list[str], list[str]]]] = {
    "weather-bureau": {
        "forecast": (
            [
                "明天{x}会下雨吗",
                "{x}这周末天气怎么样",
                "{x}后天最高气温多少度",
                "今晚{x}有没有雪",
                "{x}下周还会降温吗",
                "{x}什么时候出梅",
                "国庆期间{x}天气如何",
                "{x}明早有雾吗，要不要早点出门",
            ],
            ["甲县", "乙县", "丙县", "市区", "城东", "山区", "我们这边", "北部"],
        ),
        "warning": (
            [
                "{x}预警现在解除了吗",
                "{x}预警是几级",
                "这次{x}预警要持续多久",
                "学校因为{x}预警停课吗",
                "{x}橙色预警什么意思",
                "发布{x}预警后要注意什么",
            ],
            ["暴雨", "台风", "寒潮", "大风", "高温", "冰雹", "道路结冰", "雷电"],
        ),
        "science": (
            [
                "为什么会出现{x}",
                "{x}是怎么形成的",
                "{x}和普通天气有什么区别",
                "遇到{x}该怎么防护",
                "{x}对农作物有影响吗",
            ],
            ["彩虹", "雾霾", "冰雹", "龙卷风", "霜冻", "回南天", "厄尔尼诺", "冻雨"],
        ),
    },
    "college": {
        "admissions": (
            [
                "{x}专业今年在我省招多少人",
                "{x}专业去年录取分数线是多少",
                "{x}专业可以转专业吗",
                "报考{x}专业有单科成绩要求吗",
                "{x}专业的学费一年多少",
                "{x}专业录取通知书什么时候寄出",
                "{x}专业是本科一批吗",
            ],
            ["计算机", "临床医学", "机械工程", "汉语言文学", "会计", "法学", "护理", "英语"],
        ),
        "campus": (
            [
                "{x}几点开门",
                "新生报到那天{x}在哪里",
                "{x}周末对外开放吗",
                "{x}可以用校园卡吗",
                "{x}在哪个校区",
                "校外人员能进{x}吗",
            ],
            ["图书馆", "体育馆", "食堂", "校医院", "宿舍楼", "校史馆", "游泳馆", "实验楼"],
        ),
        "study": (
            [
                "{x}什么时候开始",
                "{x}的安排出来了吗",
                "{x}在哪里查",
                "{x}可以补办吗",
            ],
            [
                "期末考试",
                "奖学金评定",
                "成绩",
                "学生证",
                "选课",
                "四六级报名",
                "毕业答辩",
                "寒假放假",
            ],
        ),
    },
    "tourism-bureau": {
        "scenic": (
            [
                "{x}现在开放了吗",
                "{x}周一闭馆吗",
                "去{x}怎么坐车",
                "{x}大概要玩多久",
                "{x}有停车场吗",
                "{x}适合带老人去吗",
                "{x}晚上有灯光秀吗",
            ],
            ["古城", "湿地公园", "南山景区", "博物馆", "溶洞", "森林公园", "老街", "温泉小镇"],
        ),
        "tickets": (
            [
                "{x}门票多少钱",
                "{x}学生票半价吗",
                "{x}需要提前预约吗",
                "{x}老年人免票吗",
                "{x}门票在哪里买",
                "{x}联票包含哪些景点",
            ],
            ["古城", "湿地公园", "南山景区", "博物馆", "溶洞", "森林公园", "索道", "游船"],
        ),
        "travel": (
            [
                "{x}期间哪里人少一点",
                "{x}有什么旅游活动",
                "{x}推荐什么路线",
                "{x}有什么特色美食推荐",
            ],
            ["五一", "国庆", "春节", "暑假", "周末", "清明", "中秋", "元旦"],
        ),
    },
    "real-estate": {
        "housing": (
            [
                "{x}还有房源吗",
                "{x}的均价大概多少",
                "{x}什么时候交房",
                "{x}有多大面积的户型",
                "{x}的样板间在哪里看",
                "{x}可以用公积金贷款吗",
            ],
            ["锦华苑", "滨江府", "翠湖湾", "二期", "三期洋房", "新开的楼盘", "南区高层", "公寓"],
        ),
        "property": (
            [
                "{x}找谁处理",
                "{x}物业多久能来修",
                "{x}物业费包含吗",
                "{x}要怎么报修",
                "{x}物业能帮忙协调吗",
            ],
            [
                "电梯坏了",
                "楼道灯不亮",
                "水管漏水",
                "车位被占",
                "门禁卡丢了",
                "垃圾没人清",
                "绿化没人管",
                "快递柜故障",
            ],
        ),
        "contract": (
            [
                "{x}什么时候能办下来",
                "{x}需要带什么材料去售楼处",
                "{x}有问题找哪个部门",
                "{x}能延期吗",
            ],
            ["房产证", "网签", "认购协议", "退房手续", "更名", "交房验收", "维修基金", "车位合同"],
        ),
    },
    "edu-software": {
        "product": (
            [
                "{x}怎么下载",
                "{x}支持平板吗",
                "{x}登录不上怎么办",
                "{x}会员多少钱一年",
                "{x}新版本什么时候上线",
                "{x}可以多个孩子一起用吗",
                "{x}闪退了怎么解决",
            ],
            ["APP", "学习机", "网页版", "家长端", "教师端", "小程序", "客户端", "点读笔"],
        ),
        "learning": (
            [
                "{x}适合几年级的孩子",
                "{x}有配套练习吗",
                "{x}每天学多久比较好",
                "{x}能看回放吗",
                "{x}的老师是哪里的",
                "{x}有没有试听",
            ],
            [
                "英语课",
                "数学思维课",
                "作文课",
                "编程课",
                "口语课",
                "阅读营",
                "古诗课",
                "物理实验课",
            ],
        ),
        "activity": (
            [
                "{x}怎么报名",
                "{x}在哪里举办",
                "{x}有名额限制吗",
                "{x}的获奖名单公布了吗",
            ],
            [
                "线下讲座",
                "作文比赛",
                "家长会",
                "夏令营",
                "投稿活动",
                "公开课",
                "读书打卡",
                "编程比赛",
            ],
        ),
    },
}

OUT_SCOPE: dict[str, tuple[list[str], list[str]]] = {
    "government": (
        [
            "{x}怎么办理",
            "{x}需要什么材料",
            "{x}去哪个窗口办",
            "{x}网上能办吗",
            "{x}要多久才能办好",
        ],
        [
            "社保卡补办",
            "户口迁移",
            "公积金提取",
            "驾照换证",
            "医保报销",
            "居住证",
            "营业执照",
            "低保申请",
            "护照",
            "结婚登记",
        ],
    ),
    "other_body": (
        [
            "{x}，这事到底归谁管",
            "{x}，去哪投诉",
            "{x}，你们能不能反映一下",
            "{x}，打市长热线有用吗",
        ],
        [
            "小区门口路灯坏了半个月",
            "公交司机态度太差",
            "隔壁工地半夜施工",
            "快递丢件没人赔",
            "医院挂号排了三小时",
            "菜市场缺斤少两",
            "出租车绕路多收钱",
            "银行柜台只开一个",
        ],
    ),
    "abuse": (
        [
            "{x}",
            "{x}，你们还有脸发微博",
            "{x}，小编是不是傻",
        ],
        [
            "你们这帮废物能干点正事吗",
            "垃圾单位骗谁呢",
            "脑子进水了吧",
            "一群饭桶吃白饭的吗",
            "滚吧别发了",
            "你们是不是都收了钱",
            "什么破玩意儿",
        ],
    ),
}

NONE_SHARED = [
    "谢谢小编",
    "转发微博",
    "哈哈哈哈",
    "支持一下",
    "收到，辛苦了",
    "已关注",
    "太棒了，点赞",
    "早上好",
    "打卡",
    "大家周末愉快",
    "赞",
    "来了来了",
    "第一次抢到沙发",
    "说得很好",
    "学到了",
    "希望越来越好",
    "转给家里人看看",
    "感谢分享",
    "mark一下",
    "加油加油",
    "好的知道了",
    "顶",
]

NONE_PACK = {
    "weather-bureau": [
        "预报很准，点赞",
        "今天的彩虹好美",
        "终于下雨了凉快",
        "雪景太漂亮了",
        "台风天大家注意安全",
        "气象人辛苦了",
        "这几天热死了",
    ],
    "college": [
        "母校加油",
        "想念食堂的包子",
        "图书馆真的很美",
        "毕业快乐",
        "祝新生开学顺利",
        "老师们辛苦了",
        "怀念大学时光",
    ],
    "tourism-bureau": [
        "风景真美",
        "古城夜景绝了",
        "上周刚去过，很推荐",
        "湿地公园太好拍了",
        "家乡真美",
        "下次一定去",
        "溶洞里好凉快",
    ],
    "real-estate": [
        "物业服务很好",
        "小区绿化不错",
        "刚收房，很满意",
        "保安大叔很负责",
        "样板间挺好看的",
        "电梯修好了，谢谢",
        "住了三年很舒服",
    ],
    "edu-software": [
        "课程很有帮助",
        "孩子很喜欢这个APP",
        "老师讲得真好",
        "作文比赛我家也参加了",
        "打卡第三十天",
        "新版本很流畅",
        "口语进步很大",
    ],
}


def _fill(rng: random.Random, templates: list[str], slots: list[str], n: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    tries = 0
    while len(out) < n and tries < n * 50:
        tries += 1
        core = rng.choice(templates).format(x=rng.choice(slots))
        text = rng.choice(ASK) + core + rng.choice(END)
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def examples(pack: str) -> list[dict[str, object]]:
    rng = random.Random(f"triage-{pack}")
    rows: list[dict[str, object]] = []
    for topic, (templates, slots) in IN_SCOPE[pack].items():
        for text in _fill(rng, templates, slots, 40):
            rows.append({"text": text, "question": True, "scope": "in", "topic": topic})
    for topic, (templates, slots) in OUT_SCOPE.items():
        n = 20 if topic == "abuse" else 25
        for text in _fill(rng, templates, slots, n):
            question = topic != "abuse" or "吗" in text or "？" in text
            rows.append({"text": text, "question": question, "scope": "out", "topic": topic})
    chatter = NONE_SHARED + NONE_PACK[pack]
    tails = ["", "！", "~", "！！", "👍", "。"]
    seen: set[str] = set()
    while len(seen) < 45:
        seen.add(rng.choice(chatter) + rng.choice(tails))
    for text in sorted(seen):
        rows.append({"text": text, "question": False, "scope": "none", "topic": "chatter"})
    rng.shuffle(rows)
    return rows


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for pack in IN_SCOPE:
        rows = examples(pack)
        lines = [json.dumps(r, ensure_ascii=False) for r in rows]
        (OUT / f"{pack}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(pack, len(rows))


if __name__ == "__main__":
    main()
