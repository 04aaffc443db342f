"""Building blocks of the demo catalogue: departments by role, materials, steps, templates.

A *template* is one entry of the basic catalogue (基本目录): its basic code, type and
the content every region implements alike. ``levels`` says where it is implemented —
the province, the two seed cities (Jiangmen 440700, Chaozhou 445100), their counties or
a few towns — and ``dept`` which body does it, by role (``"minzheng"`` is 广东省民政厅 at
the province, 江门市民政局 in Jiangmen and 台山市民政局 in Taishan). The loader turns
each (template, region) pair into one item with its own implementation code, which is
how a real catalogue grows: one basic entry, many implementations.

Department names are the ones loaded by ``govhall.regions`` (the 2015–2017 bodies of the work plans,
e.g. 工商局, 食品药品监管局, 卫生计生委...). Content is modelled on the published
guides of Guangdong's halls and cites the laws and regulations then in force.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

PROVINCE = "440000"
JIANGMEN = "440700"
CHAOZHOU = "445100"
CITIES = (JIANGMEN, CHAOZHOU)
# Counties whose own implementations the demo carries (蓬江区, 新会区, 台山市; 湘桥区,
# 潮安区): enough to show county halls and region-first search without loading every
# county's copy of the same entries.
JIANGMEN_COUNTIES = ("440703", "440705", "440781")
CHAOZHOU_COUNTIES = ("445102", "445103")
COUNTIES = JIANGMEN_COUNTIES + CHAOZHOU_COUNTIES
# Towns of the two cities that host station-level items (镇街网上办事站).
TOWNS = ("440703002", "440705101", "445102100", "445103100")

# Telephone area codes of the places the demo covers.
AREA_CODE = {"4400": "020", "4407": "0750", "4451": "0768"}

# role → (province name, Jiangmen name, Chaozhou name, county suffix or None)
DEPARTMENTS: dict[str, tuple[str | None, str | None, str | None, str | None]] = {
    "gongan": ("广东省公安厅", "江门市公安局", "潮州市公安局", "公安局"),
    "minzheng": ("广东省民政厅", "江门市民政局", "潮州市民政局", "民政局"),
    "renshe": (
        "广东省人力资源和社会保障厅",
        "江门市人力资源和社会保障局",
        "潮州市人力资源和社会保障局",
        "人力资源和社会保障局",
    ),
    "shebao": (
        "广东省社会保险基金管理局",
        "江门市社会保险基金管理局",
        "潮州市社会保险基金管理局",
        "社会保险基金管理局",
    ),
    "zhujian": (
        "广东省住房和城乡建设厅",
        "江门市住房和城乡建设局",
        "潮州市住房和城乡建设局",
        "住房和城乡建设局",
    ),
    "weiji": (
        "广东省卫生和计划生育委员会",
        "江门市卫生和计划生育局",
        "潮州市卫生和计划生育局",
        "卫生和计划生育局",
    ),
    "gongshang": (
        "广东省工商行政管理局",
        "江门市工商行政管理局",
        "潮州市工商行政管理局",
        "工商行政管理局",
    ),
    "shiyao": (
        "广东省食品药品监督管理局",
        "江门市食品药品监督管理局",
        "潮州市食品药品监督管理局",
        "食品药品监督管理局",
    ),
    "fagai": ("广东省发展和改革委员会", "江门市发展和改革局", "潮州市发展和改革局", "发展和改革局"),
    "zhengwu": (
        "广东省政务服务数据管理局",
        "江门市行政服务中心",
        "潮州市政务服务中心",
        "政务服务中心",
    ),
    "jiaoyu": ("广东省教育厅", "江门市教育局", "潮州市教育局", None),
    "sifa": ("广东省司法厅", "江门市司法局", "潮州市司法局", None),
    "guotu": ("广东省国土资源厅", "江门市国土资源局", "潮州市国土资源局", None),
    "huanbao": ("广东省环境保护厅", "江门市环境保护局", "潮州市环境保护局", None),
    "jiaotong": ("广东省交通运输厅", "江门市交通运输局", "潮州市交通运输局", None),
    "shuiwu": ("广东省水利厅", "江门市水务局", "潮州市水务局", None),
    "nongye": ("广东省农业厅", "江门市农业局", "潮州市农业局", None),
    "linye": ("广东省林业厅", "江门市林业和园林局", None, None),
    "shangwu": ("广东省商务厅", "江门市商务局", "潮州市商务局", None),
    "wenhua": ("广东省文化厅", "江门市文化广电新闻出版局", "潮州市文化广电新闻出版局", None),
    "xinwen": (
        "广东省新闻出版广电局",
        "江门市文化广电新闻出版局",
        "潮州市文化广电新闻出版局",
        None,
    ),
    "zhijian": (
        "广东省质量技术监督局",
        "江门市质量技术监督局",
        "潮州市质量技术监督局",
        None,
    ),
    "anjian": (
        "广东省安全生产监督管理局",
        "江门市安全生产监督管理局",
        "潮州市安全生产监督管理局",
        None,
    ),
    "xiaofang": ("广东省公安消防总队", "江门市公安消防局", None, None),
    # 国税、地税 merged in 2018 (regions.data.departments.REFORMS): items are the new body's.
    "dishui": ("国家税务总局广东省税务局", None, None, None),
    "guoshui": ("国家税务总局广东省税务局", None, None, None),
    "canlian": ("广东省残疾人联合会", "江门市残疾人联合会", "潮州市残疾人联合会", None),
    "tiyu": ("广东省体育局", "江门市体育局", None, None),
    "lvyou": ("广东省旅游局", "江门市旅游局", None, None),
    "renfang": ("广东省人民防空办公室", "江门市人民防空办公室", None, None),
    "dangan": ("广东省档案局", "江门市档案局", None, None),
    "minzong": ("广东省民族宗教事务委员会", "江门市民族宗教事务局", None, None),
    "keji": ("广东省科学技术厅", "江门市科学技术局", None, None),
    "jingxin": ("广东省经济和信息化委员会", None, "潮州市经济和信息化局", None),
    "qixiang": ("广东省气象局", "江门市气象局", None, None),
    "tongxin": ("广东省通信管理局", None, None, None),
    "haiyang": ("广东省海洋与渔业厅", "江门市海洋与渔业局", None, None),
    "jinrong": (None, "江门市金融工作局", None, None),
    "guihua": (None, "江门市城乡规划局", None, None),
    "waiqiao": (None, "江门市外事侨务局", None, None),
    "yancao": (None, "江门市烟草专卖局", None, None),
    "shiye": (None, "江门市事业单位登记管理局", None, None),
    "caizheng": ("广东省财政厅", "江门市财政局", "潮州市财政局", None),
    "tongji": ("广东省统计局", "江门市统计局", None, None),
    "jiwei": (None, None, "潮州市扶贫开发办公室", None),
}


def department_name(role: str, region_code: str, region_name: str) -> str | None:
    """The name of the body that plays ``role`` in a region, or None where there is none."""
    if len(region_code) == 9:  # towns: the town government or street office does it
        suffix = "办事处" if region_name.endswith("街道") else "人民政府"
        return region_name + suffix
    province, jiangmen, chaozhou, county = DEPARTMENTS[role]
    if region_code == PROVINCE:
        return province
    if region_code == JIANGMEN:
        return jiangmen
    if region_code == CHAOZHOU:
        return chaozhou
    return region_name + county if county else None


def area_code(region_code: str) -> str:
    return AREA_CODE.get(region_code[:4], "020")


# --- materials -------------------------------------------------------------------------


@dataclass(frozen=True)
class Mat:
    """申请材料 of a template. ``source``: applicant / licence (e-licence) / shared (data)."""

    name: str
    issuer: str = "申请人"
    originals: int = 1
    copies: int = 0
    required: bool = True
    media: str = "both"
    source: str = "applicant"
    licence: str = ""
    shared: str = ""
    condition: str = ""
    requirements: str = ""
    code: str = ""


def licence(name: str, issuer: str, **kwargs) -> Mat:
    """A material the hall reads from the applicant's electronic licence."""
    kwargs.setdefault("originals", 1)
    kwargs.setdefault("copies", 0)
    kwargs.setdefault("media", "electronic")
    return Mat(name, issuer, source="licence", licence=kwargs.pop("licence", name), **kwargs)


def shared(name: str, issuer: str, source: str, **kwargs) -> Mat:
    """A material the hall obtains from shared data; the applicant brings nothing."""
    kwargs.setdefault("originals", 0)
    kwargs.setdefault("copies", 0)
    kwargs.setdefault("media", "electronic")
    return Mat(name, issuer, source="shared", shared=source, **kwargs)


def form(name: str, **kwargs) -> Mat:
    """The item's own application form, filled in online or at the counter."""
    kwargs.setdefault("requirements", "可在网上办事大厅在线填写，或在窗口领取填写；须本人签名。")
    return Mat(name, "申请人", **kwargs)


ID_CARD = licence(
    "申请人居民身份证",
    "公安机关",
    licence="居民身份证",
    requirements="在有效期内；已签发电子证照的无需提交原件。",
)
HOUSEHOLD_BOOK = licence("居民户口簿", "公安机关", requirements="户主页及本人页。")
BUSINESS_LICENCE = licence("营业执照", "工商行政管理部门", requirements="加载统一社会信用代码。")
LEGAL_REP_ID = licence("法定代表人居民身份证", "公安机关", licence="居民身份证")
AGENT_ID = Mat(
    "经办人身份证明及授权委托书",
    "申请人",
    originals=1,
    copies=1,
    required=False,
    condition="委托他人办理的",
    requirements="授权委托书须载明委托事项和权限，并由委托人签名或盖章。",
)
PHOTO = Mat(
    "近期免冠彩色证件照片",
    "申请人",
    originals=2,
    media="paper",
    requirements="白色背景，2寸；已在照相馆取得数码回执的可提供回执。",
)
MARRIAGE_CERT = licence("结婚证", "婚姻登记机关")
BIRTH_CERT = licence("出生医学证明", "助产机构", requirements="新生儿出生医学证明。")
REAL_ESTATE_CERT = licence("不动产权证书（房屋所有权证）", "不动产登记机构", licence="不动产权证书")
PREMISES = Mat(
    "经营场所使用证明",
    "产权人或出租人",
    originals=0,
    copies=1,
    requirements="自有房屋提交产权证明；租用的提交租赁合同和出租人产权证明。",
    code="premises",
)
SOCIAL_INSURANCE_RECORD = shared(
    "社会保险参保缴费记录", "社会保险经办机构", "广东省社会保险信息系统"
)
HOUSEHOLD_DATA = shared("户籍信息", "公安机关", "省人口基础信息库（公安户籍数据）")
MARRIAGE_DATA = shared("婚姻登记信息", "民政部门", "全国婚姻登记信息系统")
COMPANY_DATA = shared("企业登记信息", "工商行政管理部门", "省法人基础信息库（商事登记数据）")
TAX_DATA = shared("纳税信息", "税务机关", "金税三期税收管理系统")
HEALTH_CERT = licence(
    "从业人员健康证明",
    "医疗卫生机构",
    copies=0,
    condition="直接接触入口食品或顾客的从业人员",
    code="health",
)


# --- steps -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """办理环节 with its limit, the post that does it and its integrity-risk point."""

    name: str
    post: str
    days: int
    criteria: str = ""
    result: str = ""
    risk: str = ""
    risk_level: str = ""
    controls: str = ""


RISK_ACCEPT = (
    "对符合条件的申请不予受理或拖延受理；要求申请人提交办事指南以外的材料。",
    "medium",
    "执行一次性告知和首问负责制；受理、不予受理均出具书面凭证并全程电子监察留痕。",
)
RISK_REVIEW = (
    "审查不严或故意刁难；利用审查权索取、收受好处。",
    "high",
    "按公开的审查标准逐项审查并留痕；实行AB岗和定期轮岗；审查意见纳入电子监察。",
)
RISK_DECIDE = (
    "违反法定条件作出准予决定，或无正当理由不予许可、超时限决定。",
    "high",
    "重大事项集体研究；决定书载明理由；临近时限黄牌、超过时限红牌预警。",
)
RISK_DELIVER = (
    "未按时送达结果，或擅自收取费用。",
    "low",
    "办理结果网上公开可查；支持邮寄和电子送达；收费项目和标准公示。",
)


def accept(days: int = 1, criteria: str = "材料齐全、符合法定形式的予以受理。") -> Step:
    return Step("受理", "clerk", days, criteria, "受理通知书或一次性告知书", *RISK_ACCEPT)


def review(days: int, criteria: str = "审查申请材料的真实性、合法性，必要时现场核查。") -> Step:
    return Step("审核", "reviewer", days, criteria, "审核意见", *RISK_REVIEW)


def decide(days: int, criteria: str = "根据审核意见作出准予或不予的决定。") -> Step:
    return Step("决定", "approver", days, criteria, "准予或不予决定", *RISK_DECIDE)


def deliver(days: int = 1) -> Step:
    return Step(
        "办结送达", "clerk", days, "按申请人选择的方式送达结果。", "办理结果", *RISK_DELIVER
    )


def standard_steps(promised: int) -> list[Step]:
    """The usual 受理 → 审核 → 决定 → 办结 chain, splitting the promised limit."""
    if promised <= 0:
        return [
            Step(
                "受理并当场办结",
                "clerk",
                0,
                "材料齐全、符合法定形式的当场办结。",
                "办理结果",
                *RISK_ACCEPT,
            )
        ]
    if promised == 1:
        return [accept(0), review(0), decide(1)]
    if promised == 2:
        return [accept(0), review(1), decide(1)]
    if promised <= 4:
        return [accept(1), review(promised - 2), decide(1)]
    review_days = max(1, (promised - 2) * 2 // 3)
    return [accept(1), review(review_days), decide(promised - 2 - review_days), deliver(1)]


# --- templates -------------------------------------------------------------------------


@dataclass
class Fee:
    name: str
    standard: str
    amount: Decimal | None = None
    basis: str = ""


@dataclass
class Template:
    """One basic-catalogue entry and where it is implemented."""

    key: str
    code: str  # basic code: 2-letter type + 5-digit main item + 3-digit sub-item
    name: str
    dept: str
    levels: tuple[str, ...]
    audience: str  # GB/T 39046 服务对象 digits, e.g. "1" or "2" or "12"
    themes: tuple[str, ...]
    basis: str
    conditions: str
    materials: list[Mat]
    promised: int
    statutory: int | None = None
    statutory_note: str = ""
    promised_note: str = ""
    visits: int = 1
    visits_reason: str = ""
    depth: int = 3
    online: bool = True
    mobile: bool = False
    kiosk: bool = False
    post: bool = False
    appointment: bool = True
    result: str = ""
    result_licence: str = ""
    # False: one valid result licence at a time (低保证, 结婚证, 身份证 …); applying again
    # while it is held is refused (renewal and replacement are other items).
    repeat_while_held: bool = True
    delivery_post: bool = False
    delivery_electronic: bool = False
    fees: list[Fee] = field(default_factory=list)
    fee_basis: str = ""
    steps: list[Step] | None = None
    faqs: list[tuple[str, str]] = field(default_factory=list)
    special: list[tuple[str, str, int | None, str]] = field(default_factory=list)
    aliases: str = ""
    quantity_limit: str = "无数量限制"
    intermediary: str = "无"
    scope: str = "local"
    joint: str = ""
    manual: str = ""
    parent: str = ""  # key of the main item, for sub-items
    form: list[dict] = field(default_factory=list)  # application form (catalog.services.forms)
    rules: dict = field(default_factory=dict)  # 秒批 decision rules

    @property
    def item_type(self) -> str:
        return self.code[:2]

    @property
    def case_type(self) -> str:
        return "1" if self.promised == 0 else "2"

    def step_list(self) -> list[Step]:
        return self.steps if self.steps is not None else standard_steps(self.promised)


def visit_reason(text: str = "") -> str:
    return text or "须核验原件并当场签名确认。"


def fee(name: str, standard: str, amount: str | None, basis: str) -> Fee:
    return Fee(name, standard, Decimal(amount) if amount is not None else None, basis)
