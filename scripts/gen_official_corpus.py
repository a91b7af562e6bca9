"""Generate the clean official-post corpus (issue 10 §5): ordinary posts of the five
organisations' domains — weather forecasts and warnings, college news, tourism notices,
real-estate project news, edu-software product news — from many templates and vocabularies.

    python scripts/gen_official_corpus.py [--count-per-domain N] [--seed S]

Writes ``guanwei/screening/engine/data/samples/official_corpus.tsv`` (domain, text; committed).
The corpus is not tuned on the 40 held-out sentences
(``guanwei/screening/tests/data/held_out_boundary.txt``);
it must give 0 blocks in every pack (``test_c06_clean_official_corpus_has_no_blocks``).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

OUT = (
    Path(__file__).resolve().parent.parent
    / "guanwei/screening/engine/data/samples/official_corpus.tsv"
)

COMMON = {
    "city": [
        "本市",
        "我市",
        "全市",
        "市区",
        "城区",
        "南部山区",
        "北部平原",
        "沿江地区",
        "东部沿海",
    ],
    "county": [
        "甲县",
        "乙区",
        "丙县",
        "城关镇",
        "东山乡",
        "西湖区",
        "高新区",
        "开发区",
        "滨江新区",
    ],
    "weekday": ["周一", "周二", "周三", "周四", "周五", "周六", "周日", "本周末", "下周初"],
    "date": ["3月12日", "4月8日", "5月20日", "6月1日", "7月15日", "9月10日", "10月1日", "11月3日"],
    "unit": [
        "市政府",
        "区委宣传部",
        "市应急管理局",
        "市教育局",
        "市文旅局",
        "市住建局",
        "市交通局",
    ],
    "place": ["新疆", "西藏", "香港", "台湾", "海南", "云南", "内蒙古", "青海", "广西", "宁夏"],
    "platform": [
        "政务平台",
        "服务平台",
        "信息平台",
        "教学平台",
        "线上平台",
        "管理平台",
        "开放平台",
    ],
    "stage": ["站台", "阳台", "舞台", "展台", "讲台", "看台", "观景台", "后台", "前台", "电视台"],
    "adj": ["独立", "独特", "独家", "独有", "独创", "独到", "独具特色"],
    "sudden": ["突发情况", "突发事件", "突发天气", "突发状况"],
}

WEATHER = {
    "weather": ["多云", "晴", "阴", "小雨", "中雨", "阵雨", "雷阵雨", "小雪", "雨夹雪", "多云转晴"],
    "wind": ["偏北风3级", "东南风2到3级", "西北风4到5级", "微风", "偏南风3到4级，阵风6级"],
    "warn": [
        "暴雨蓝色预警",
        "大风黄色预警",
        "高温橙色预警",
        "寒潮蓝色预警",
        "雷电黄色预警",
        "大雾黄色预警",
        "道路结冰橙色预警",
        "冰雹橙色预警",
    ],
    "advice": [
        "请注意防范",
        "外出请携带雨具",
        "请减少户外活动",
        "注意防暑降温",
        "请及时添衣保暖",
        "驾车请减速慢行",
        "请关注最新预报",
    ],
    "term": [
        "立春",
        "雨水",
        "惊蛰",
        "春分",
        "清明",
        "谷雨",
        "立夏",
        "小满",
        "芒种",
        "夏至",
        "大暑",
        "立秋",
        "处暑",
        "白露",
        "秋分",
        "霜降",
        "立冬",
        "小雪",
        "冬至",
        "大寒",
    ],
    "topic": ["强对流天气", "台风", "寒潮", "高温", "降雨过程", "冷空气", "沙尘天气", "霜冻"],
}
WEATHER_T = [
    "{city}今天{weather}，{wind}，气温{n1}到{n2}摄氏度，{advice}。",
    "{city}气象台{date}发布{warn}：预计未来6小时{county}将出现{topic}，{advice}。",
    "【天气预报】{weekday}{city}{weather}，最高气温{n2}℃，最低气温{n1}℃，{wind}。",
    "今天是{term}节气，{city}气温逐渐{updown}，{advice}。",
    "受{topic}影响，{county}{date}前后有{weather}天气，各地做好应对{sudden}的准备。",
    "市气象台提醒：{topic}期间{advice}，如遇{sudden}请拨打应急电话。",
    "{city}气象局开展气象防灾减灾宣传周活动，向市民普及{topic}防御知识。",
    "风云卫星云图显示，{topic}云系正向{city}移动，预计{weekday}影响{county}。",
    "{county}气象站观测到{n3}毫米降水，为{date}以来最大，{advice}。",
    "市气象台独立研发的{topic}预报模型投入业务运行，预报准确率提升{n1}个百分点。",
    "气象科普：{topic}是怎样形成的？跟随气象专家一起了解天气背后的科学知识。",
    "{city}{weekday}将迎来{topic}，农业部门请做好设施大棚加固，{advice}。",
]

COLLEGE = {
    "school": [
        "我校",
        "学校",
        "学院",
        "经济管理学院",
        "信息工程学院",
        "外国语学院",
        "艺术学院",
        "马克思主义学院",
    ],
    "event": [
        "秋季运动会",
        "毕业典礼",
        "开学典礼",
        "学术报告会",
        "招聘会",
        "志愿服务活动",
        "读书分享会",
        "科技创新大赛",
        "迎新晚会",
    ],
    "who": ["全校师生", "新生", "研究生", "教职工", "校友", "家长", "辅导员"],
    "honor": ["一等奖", "优秀组织奖", "金奖", "特等奖", "先进集体"],
    "field": [
        "人工智能",
        "新材料",
        "生物医药",
        "数字经济",
        "乡村振兴",
        "智能制造",
        "区域性交通",
        "学术性交流",
    ],
    "place2": ["图书馆报告厅", "体育馆", "大学生活动中心", "第一教学楼", "学术交流中心"],
}
COLLEGE_T = [
    "{school}{event}将于{date}在{place2}举行，欢迎{who}参加。",
    "{school}学生在全省大学生{field}竞赛中获得{honor}。",
    "{school}召开安全工作会议，部署{sudden}应急处置工作。",
    "{school}组织开展{sudden}应急演练，{who}有序疏散。",
    "{school}与{county}签署合作协议，共建{field}实践基地。",
    "{school}举办{field}专题讲座，邀请知名专家作学术性交流。",
    "依托{platform}独立开发的{school}迎新系统正式上线，{who}可在线办理报到手续。",
    "{school}开展{place}籍学生座谈会，了解学生学习生活情况。",
    "图书馆{weekday}起延长开放时间，方便{who}自习。",
    "{school}召集会议研究部署{event}筹备工作。",
    "{school}{field}团队成果在国际期刊发表，阶段性交付研究任务。",
    "{school}官网线上访问量本学期突破{n3}万人次。",
    "{school}开展国家安全教育日宣传活动，提高{who}安全意识。",
    "校领导走访慰问一线教职工，了解{event}准备情况。",
]

TOURISM = {
    "spot": [
        "古城景区",
        "湿地公园",
        "森林公园",
        "博物馆",
        "滨江步道",
        "古镇",
        "植物园",
        "海洋公园",
        "红色教育基地",
    ],
    "activity": [
        "民俗文化节",
        "灯会",
        "音乐节",
        "美食节",
        "非遗展演",
        "研学游活动",
        "摄影大赛",
        "徒步大会",
    ],
    "reason": ["设备检修", "天气原因", "突发情况", "客流过大", "道路施工"],
    "service": ["预约入园", "错峰出游", "文明旅游", "安全出行", "理性消费"],
}
TOURISM_T = [
    "{spot}因{reason}于{date}临时关闭，开放时间另行通知。",
    "{weekday}{spot}将举办{activity}，请游客{service}。",
    "景区因突发情况临时调整开放时间，请游客关注官方公告。",
    "国庆假期全市旅游行业接待游客{n3}万人次，同比增长{n1}%。",
    "请游客合理安排旅游行程，{service}，注意安全。",
    "{place}独特的自然风光吸引大批游客，{city}开通旅游专线。",
    "{spot}入口交通组织调整，自驾游客请按指示牌停车。",
    "市文旅局发布{activity}日程，{spot}等{n1}个点位同步开放。",
    "{county}旅游局开展旅游市场秩序整治，维护游客合法权益。",
    "{spot}出口交由专人疏导，请游客有序离场。",
    "{stage}{adj}设计的{spot}成为网红打卡点。",
    "依托智慧旅游{platform}，游客可{service}并在线购票。",
    "{spot}{date}起试行夜间开放，{activity}同期举行。",
    "旅游投诉热线提示：遇到{sudden}请及时联系景区工作人员。",
]

ESTATE = {
    "project": ["滨江壹号", "城市之光", "翠湖苑", "锦绣华庭", "未来城", "云栖府", "和园"],
    "stage2": ["开工", "封顶", "交付", "开盘", "样板间开放", "主体结构验收"],
    "feature": [
        "每户阳台独立排水",
        "南北通透户型",
        "地下停车位充足",
        "社区配套齐全",
        "绿化率百分之三十五",
    ],
    "col": ["#XX新闻#", "#工程进度#", "#社区生活#", "#业主服务#"],
}
ESTATE_T = [
    "{col}{project}项目{date}顺利{stage2}，感谢业主一直以来的支持。",
    "{project}项目整体位于{county}核心区，{feature}。",
    "{project}二期工程阶段性交付完成，业主可预约验房。",
    "{col}{project}{feature}，欢迎到售楼处咨询。",
    "公司召开安全生产会议，要求各项目做好{sudden}应急准备。",
    "{project}小区东侧站台独立设置候车区，方便业主出行。",
    "{col}{project}社区{weekday}举办邻里节，欢迎业主参加。",
    "公司与{unit}就{county}城市更新项目签署合作协议。",
    "{project}项目获评省级文明工地，施工单位严格落实扬尘治理。",
    "{col}冬季供暖调试将于{date}开始，请业主留意家中阀门。",
    "石油行业与地产行业专家共同探讨绿色建筑发展。",
    "{project}精装修标准公示，接受业主监督。",
]

EDU = {
    "product": ["智慧课堂", "作业助手", "错题本", "家校通", "阅读打卡", "口语练习", "在线题库"],
    "feature2": [
        "错题本功能",
        "学情分析报告",
        "家长端通知",
        "离线下载",
        "护眼模式",
        "语音评测",
        "班级圈",
    ],
    "grade": ["小学", "初中", "高中", "一年级", "三年级", "初二", "高一"],
    "subject": ["语文", "数学", "英语", "物理", "化学", "科学", "美术"],
}
EDU_T = [
    "{product}新版本上线{feature2}，帮助{grade}学生高效复习{subject}。",
    "{platform}独创{feature2}，获得老师和家长好评。",
    "{product}后台独立运维，{product}已服务{n3}所学校。",
    "{weekday}晚8点，{product}直播课讲解{grade}{subject}重难点，欢迎收看。",
    "产品特色界面设计让{grade}学生更专注于{subject}学习。",
    "暑期{subject}阅读打卡活动开始啦，连续打卡{n1}天可获得电子证书。",
    "{product}服务器将于{date}凌晨维护，维护期间暂停使用。",
    "我们收到家长关于{feature2}的建议，已在新版本中优化。",
    "{product}与{county}教育局合作开展{subject}教研活动。",
    "期末复习季，{product}上线{grade}{subject}专项练习。",
    "如遇{sudden}导致无法登录，请联系客服，我们将第一时间处理。",
    "{product}获评年度优秀教育应用，感谢每一位用户。",
]

DOMAINS = {
    "weather": (WEATHER, WEATHER_T),
    "college": (COLLEGE, COLLEGE_T),
    "tourism": (TOURISM, TOURISM_T),
    "real_estate": (ESTATE, ESTATE_T),
    "edu_software": (EDU, EDU_T),
}
CLOSERS = ["", "", "", "欢迎转发扩散。", "详情请见官网。", "请相互转告。", "感谢大家的支持！"]


def fill(template: str, vocab: dict[str, list[str]], rng: random.Random) -> str:
    values = {key: rng.choice(words) for key, words in {**COMMON, **vocab}.items()}
    values.update(
        n1=str(rng.randint(2, 15)),
        n2=str(rng.randint(16, 35)),
        n3=str(rng.randint(10, 300)),
        updown=rng.choice(["回升", "下降"]),
    )
    return template.format(**values)


def generate(count_per_domain: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for domain, (vocab, templates) in DOMAINS.items():
        seen: set[str] = set()
        tries = 0
        while len(seen) < count_per_domain and tries < count_per_domain * 20:
            tries += 1
            parts = [fill(rng.choice(templates), vocab, rng) for _ in range(rng.randint(1, 3))]
            text = "".join(parts) + rng.choice(CLOSERS)
            if text not in seen:
                seen.add(text)
                out.append((domain, text))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count-per-domain", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args()
    rows = generate(args.count_per_domain, args.seed)
    header = "# generated by scripts/gen_official_corpus.py; domain<TAB>text\n"
    OUT.write_text(header + "".join(f"{d}\t{t}\n" for d, t in rows), encoding="utf-8")
    print(f"{len(rows)} posts -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
