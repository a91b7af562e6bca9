"""Deterministic generated texts for the screening benchmark and tests (C-06, E-01).

Nothing is downloaded: comments are stitched from hand-written everyday fragments, official posts
from templates of the five organisations' kinds of posts, evasion variants from lexicon terms
with the transformations issue 3 names (noise, repeats, traditional, full width, case, pinyin).
Everything is seeded, so two runs produce the same corpus.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import DATA_DIR
from .lexicon import Term
from .matcher import pinyin_spellings
from .normalise import BARRIER_MARK, NOISE_MARK, folding

_FRAGMENTS = """今天天气真不错，出门散步心情都好了
早上起来发现下雪了，小区里一片白
这家店的牛肉面味道很正宗，推荐大家去尝尝
周末带孩子去公园放风筝，玩得很开心
地铁早高峰人太多了，挤了半天才上车
终于考完试了，准备好好睡一觉
楼下新开了一家奶茶店，排队的人好多
老师讲得很清楚，听完就明白了
这个视频拍得太美了，风景像画一样
家里的猫又把花盆打翻了，真拿它没办法
明天要早起赶高铁，希望别堵车
支持一下，希望越办越好
谢谢分享，收藏了慢慢看
请问这个活动在哪里报名？
去年夏天去过一次，海边的日落特别好看
最近加班有点多，周末只想在家躺着
这个价格还挺实惠的，下次再来
小区门口的路终于修好了，出行方便多了
孩子说学校食堂的饭菜越来越好吃了
外面下着小雨，空气特别清新
刚跑完五公里，感觉整个人都精神了
妈妈做的红烧肉是世界上最好吃的
图书馆里好安静，适合看书学习
为环卫工人点赞，辛苦了
今年的桂花开得特别香
有没有人一起去爬山？周六早上出发
这部电影看哭了，强烈推荐
新买的手机拍照效果不错
早餐吃了豆浆油条，满满的幸福感
路边的银杏叶黄了，秋天真的来了
坐了一晚上的火车，终于到家了
奶奶今天八十大寿，全家人都来了
这道题我想了好久才做出来
下班路上看到晚霞，太美了
小区组织了义务植树活动，大家都很积极
希望明天是个大晴天
咖啡续命中，今天还有好多事要做
刚搬家，东西乱七八糟的还没收拾
老家的院子里种了好多蔬菜
周末去博物馆看了展览，学到不少知识
宝宝今天第一次叫爸爸，感动
这个季节的草莓最甜了
公交车上给老人让座是应该的
期待下次的活动，一定参加
听说明天降温，大家注意保暖
骑共享单车上班，又环保又锻炼身体
晚上在江边散步，风吹着很舒服
今天的夕阳把整个天空都染红了
昨天的比赛太精彩了，最后一分钟绝杀
给自己定了个小目标，每天读书半小时
这个小程序挺好用的，办事不用跑腿了
附近的菜市场收拾得干干净净
学校门口的交通协管员每天都很辛苦
第一次自己做蛋糕，居然成功了
雨后的彩虹好漂亮，大家看到了吗
今年春节准备回老家过年
哪位朋友知道这附近有好吃的火锅店
同事从老家带了特产，分给大家尝尝
太阳出来了，赶紧把被子拿出去晒晒
小时候最喜欢夏天在河边抓鱼
这条街晚上特别热闹，小吃一条街
年轻人要多运动，少熬夜
今天又是元气满满的一天
地铁新线路开通了，上班能省二十分钟
我家楼下的梧桐树长得好高
下午茶时间到了，来一块抹茶蛋糕
这个问题我也想问，坐等回复
天冷了，记得给家里的老人打个电话
周末的早市好热闹，买了一大袋水果
新学期开始了，祝同学们学习进步
感谢志愿者们的付出
刚才路过广场，看到好多人在跳舞
山里的空气真好，夜里能看到满天星星
家门口的公园新修了步道，晚上散步的人多了
这个解说太专业了，涨知识了
好久没回母校了，变化真大
买的书到了，今晚开始看
""".strip().splitlines()

_OPENERS = [
    "",
    "",
    "",
    "哈哈哈，",
    "说真的，",
    "对了，",
    "唉，",
    "嗯嗯，",
    "话说",
    "求问：",
    "楼主好，",
]
_CLOSERS = ["", "", "", "！", "～", "。", "！！", "哈哈", "😂", "👍", "🌸", "[赞]", "[笑cry]", "…"]
_JOINERS = ["，", "。", "！", "～", " ", "，", "；", "。"]
_ASCII = ["OK", "ok", "666", "yyds", "App", "Wi-Fi", "VIP", "PM2.5", "iPhone", "100%", "5G"]
_NUMBERS = ["2", "3", "5", "10", "20", "一", "两", "三", "十几", "二十"]


def comments(total_chars: int, *, seed: int = 20240601) -> list[str]:
    """Comment-sized texts (median about 120 characters) until ``total_chars`` is reached."""
    rng = random.Random(seed)
    out: list[str] = []
    produced = 0
    while produced < total_chars:
        target = max(12, min(600, int(rng.lognormvariate(4.70, 0.45))))
        parts = [rng.choice(_OPENERS)]
        length = len(parts[0])
        while length < target:
            fragment = rng.choice(_FRAGMENTS)
            roll = rng.random()
            if roll < 0.05:
                fragment += rng.choice(_ASCII)
            elif roll < 0.10:
                fragment = fragment.replace("一", rng.choice(_NUMBERS), 1)
            elif roll < 0.13:
                fragment = fragment[:-1] + fragment[-1] * rng.randint(2, 3)
            parts.append(fragment)
            parts.append(rng.choice(_JOINERS))
            length += len(fragment) + 1
        parts.append(rng.choice(_CLOSERS))
        text = "".join(parts)
        out.append(text)
        produced += len(text)
    return out


_SLOTS: dict[str, list[str]] = {
    "city": ["金华", "义乌", "东阳", "兰溪", "永康", "武义", "浦江", "磐安", "婺城", "金东"],
    "weather": ["多云", "晴转多云", "阴有小雨", "小到中雨", "雷阵雨", "多云转阴", "晴", "阵雨"],
    "wind": ["东北风3-4级", "偏南风2-3级", "西北风4-5级", "东风3级", "微风"],
    "phenomenon": ["暴雨", "高温", "大风", "寒潮", "大雾", "雷电", "冰冻", "台风"],
    "colour": ["蓝色", "黄色", "橙色", "红色"],
    "unit": ["教务处", "学生处", "团委", "图书馆", "信息学院", "机电学院", "后勤处", "宣传部"],
    "event": ["开学典礼", "运动会", "技能大赛", "读书节", "志愿服务活动", "招聘会", "讲座"],
    "spot": ["双龙洞", "古子城", "八咏楼", "仙华山", "诸葛八卦村", "横店影视城", "大盘山"],
    "food": ["火腿", "酥饼", "汤包", "豆腐丸子", "馒头", "青团", "粽子"],
    "column": ["#XX新闻#", "#文化地产#", "#行业资讯#", "#创意建筑#", "#活力XX#"],
    "edu": ["#下课十分钟#", "#优趣之熊爸熊妈#", "#优信足迹#"],
    "topic": ["学习方法", "亲子阅读", "时间管理", "英语口语", "数学思维", "科学小实验"],
    "dept": ["市场监管局", "住建局", "交通运输局", "卫健委", "教育局", "人社局", "应急管理局"],
}
_TEMPLATES = [
    "【天气预报】今天{city}{weather}，{wind}，最高气温{t}℃，最低气温{t2}℃。",
    "【{phenomenon}预警】市气象台发布{phenomenon}{colour}预警信号，预计未来{n}小时{city}将出现"
    "{phenomenon}天气，请注意防范。",
    "【天气实况】截至{h}时，{city}累计降雨量{n}毫米，气温{t}℃，相对湿度{n}%。",
    "#气象科普# {phenomenon}来临前要做好哪些准备？关注预警信息，减少外出，远离危险区域。",
    "【生活指数】明天{city}{weather}，紫外线中等，适宜晾晒，早晚温差较大注意添衣。",
    "【订正】今晨发布的{city}预报最高气温订正为{t}℃，特此更正。",
    "【校园资讯】{unit}举办{event}，{n}余名师生参加，活动取得圆满成功。",
    "【通知】{unit}定于{m}月{d}日举行{event}，请相关同学准时参加。",
    "学校召开{event}动员会，{unit}负责同志对工作进行了部署，要求各单位认真落实。",
    "【旅游资讯】{spot}景区{m}月{d}日起开放夜游，游客可提前在线预约。（来源：市文旅局）",
    "【美食】来{city}一定要尝尝{food}，老街{food}店每天排长队。",
    "【游客提醒】{spot}周末客流较大，建议错峰出行，注意安全。",
    "{column} 集团{m}月{d}日召开经营分析会，总结前期工作，部署下一阶段任务。",
    "{column} {city}新城项目进展顺利，预计年底完成主体结构施工。",
    "{edu} 今天聊聊{topic}：每天坚持十分钟，效果会慢慢显现。",
    "{edu} 家长朋友们，{topic}小妙招已经整理好啦，欢迎在评论区交流。",
    "【政务公开】{dept}召开专题会议，研究部署{m}月份重点工作，要求压实责任、狠抓落实。",
    "【便民服务】即日起，{dept}{n}项高频事项可在网上办理，群众办事更方便。",
    "【回应关切】针对网民反映的问题，{dept}已安排专人核实处理，并将及时反馈结果。",
    "【会议】{city}召开领导干部大会，传达学习上级会议精神，部署下一阶段重点工作。",
]


def official_posts(count: int, *, seed: int = 20240602) -> list[str]:
    """Ordinary official posts from templates (weather, college, tourism, company, government)."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        template = rng.choice(_TEMPLATES)
        values = {name: rng.choice(words) for name, words in _SLOTS.items()}
        values.update(
            t=str(rng.randint(-5, 38)),
            t2=str(rng.randint(-10, 28)),
            n=str(rng.randint(2, 300)),
            h=str(rng.randint(6, 20)),
            m=str(rng.randint(1, 12)),
            d=str(rng.randint(1, 28)),
        )
        out.append(template.format(**values))
    return out


def sample_posts() -> list[str]:
    """The hand-written sample official posts shipped in ``data/samples/official_posts.txt``."""
    path = DATA_DIR / "samples" / "official_posts.txt"
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("# ")]


# --- evasion variants ---------------------------------------------------------------------------

EVASIONS = ("noise", "repeat", "traditional", "width", "case", "pinyin", "combined")
NOISE_CHARS = ["*", " ", "\u200b", "＊", "\u3000", ".", "-", "_", "~", "·", "|", "/", "😀", "【"]


@dataclass(frozen=True, slots=True)
class SeededVariant:
    """An evasion variant placed in a document: ``text[start:end]`` is the variant."""

    doc: int
    start: int
    end: int
    term: Term
    kind: str
    variant: str


def _noise(text: str, rng: random.Random, max_noise: int) -> str:
    if len(text) < 2:
        return text
    out = [text[0]]
    for char in text[1:]:
        if rng.random() < 0.7:
            out.append("".join(rng.choice(NOISE_CHARS) for _ in range(rng.randint(1, max_noise))))
        out.append(char)
    if len(out) == len(text):  # make sure at least one gap has noise
        out.insert(1, rng.choice(NOISE_CHARS))
    return "".join(out)


def _repeat(text: str, rng: random.Random) -> str:
    i = rng.randrange(len(text))
    return text[:i] + text[i] * rng.randint(2, 4) + text[i + 1 :]


def _width(text: str, rng: random.Random, max_noise: int) -> str:
    if any(c.isascii() and c.isalnum() for c in text):
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    return "".join(
        c + ("＊" if i % 2 == 0 else "\u3000") if i < len(text) - 1 else c
        for i, c in enumerate(text)
    )


def _case(text: str, rng: random.Random) -> str:
    return "".join(c.upper() if rng.random() < 0.5 else c for c in text)


def make_variant(
    term: Term,
    kind: str,
    rng: random.Random,
    *,
    max_noise: int = 3,
    traditional: Callable[[str], str] | None = None,
) -> str:
    """One disguised spelling of ``term`` of the given evasion kind (the term's own noise and
    punctuation, e.g. spaces or a final 。, are dropped first, as the engine drops them from terms,
    so that the noise cap applies to what is added)."""
    fold = folding()
    text = "".join(c for c in term.text if fold.fold_char(c) not in (NOISE_MARK, BARRIER_MARK))
    if kind == "noise":
        return _noise(text, rng, max_noise)
    if kind == "repeat":
        return _repeat(text, rng)
    if kind == "traditional":
        return traditional(text) if traditional else text
    if kind == "width":
        return _width(text, rng, max_noise)
    if kind == "case":
        if not any(c.isascii() and c.isalpha() for c in text):
            return _noise(text, rng, max_noise)
        return _case(text, rng) if text.upper() != text else text.lower()
    if kind == "pinyin":
        spellings = sorted(pinyin_spellings(folding().fold_term(text)))
        return _case(rng.choice(spellings), rng) if spellings else _noise(text, rng, max_noise)
    if kind == "combined":
        base = traditional(text) if traditional else text
        return _noise(_repeat(base, rng), rng, max_noise)
    raise ValueError(f"unknown evasion kind {kind!r}")


def seed_variants(
    docs: list[str],
    terms: Sequence[Term],
    *,
    every: int,
    seed: int = 20240603,
    max_noise: int = 3,
    traditional: Callable[[str], str] | None = None,
) -> list[SeededVariant]:
    """Put one evasion variant into every ``every``-th document (in place); return where."""
    rng = random.Random(seed)
    pinyin_terms = [t for t in terms if t.pinyin]
    seeded = []
    for doc in range(0, len(docs), every):
        kind = EVASIONS[(doc // every) % len(EVASIONS)]
        pool = pinyin_terms if kind == "pinyin" and pinyin_terms else terms
        term = rng.choice(pool)
        variant = make_variant(term, kind, rng, max_noise=max_noise, traditional=traditional)
        text = docs[doc]
        cut = rng.randrange(len(text) + 1)
        prefix = text[:cut] + "，"
        docs[doc] = prefix + variant + "，" + text[cut:]
        seeded.append(
            SeededVariant(doc, len(prefix), len(prefix) + len(variant), term, kind, variant)
        )
    return seeded
