# ruff: noqa: E501 -- guide sentences are kept on one line each.
"""Life events, bundles (一件事), scenario trees (场景式导航) and item relations of the demo.

Items are referred to as ``(template key, region code)``; the loader turns them into
implementation codes. Scenario trees follow 粤办函〔2016〕186号's 场景式导航: a few questions about
the applicant's situation lead to exactly the items and materials that apply.
"""

from __future__ import annotations

from .common import CHAOZHOU, JIANGMEN, PROVINCE

PENGJIANG = "440703"  # 江门市蓬江区: the district whose items the Jiangmen journeys use
XIANGQIAO = "445102"  # 潮州市湘桥区

# (code, name, audience, description, themes, template keys)
LIFE_EVENTS = [
    (
        "having-a-baby",
        "生孩子",
        "person",
        "从孕前生育登记到孩子出生后的出生证、户口、医保、社保卡和疫苗接种。",
        ["p01", "p02", "p16"],
        [
            "birth-registration-family-planning",
            "birth-medical-certificate",
            "newborn-household-registration",
            "vaccination-certificate",
            "resident-medical-insurance",
            "social-security-card",
            "maternity-benefit",
        ],
    ),
    (
        "going-to-school",
        "上学",
        "person",
        "义务教育入学、学历与教师资格。",
        ["p04"],
        ["school-enrolment", "teacher-qualification"],
    ),
    (
        "getting-a-job",
        "就业创业",
        "person",
        "就业登记、失业保险、创业贷款和社保关系转移。",
        ["p06"],
        [
            "employment-card",
            "unemployment-benefit",
            "startup-loan",
            "pension-transfer",
            "sole-trader-registration",
        ],
    ),
    (
        "getting-married",
        "结婚",
        "person",
        "结婚登记、补领婚姻登记证和生育登记。",
        ["p12"],
        ["marriage-registration", "marriage-cert-reissue", "birth-registration-family-planning"],
    ),
    (
        "buying-a-home",
        "买房安家",
        "person",
        "房屋过户、抵押登记、公积金提取、入户和用水报装。",
        ["p15", "p09", "p02"],
        [
            "real-estate-transfer",
            "real-estate-mortgage",
            "housing-fund-withdrawal",
            "household-transfer",
            "water-connection",
        ],
    ),
    (
        "owning-a-car",
        "买车用车",
        "person",
        "新车上牌、驾驶证换证和交通违法罚款缴纳。",
        ["p18"],
        [
            "vehicle-registration",
            "driving-licence-renewal",
            "traffic-fine-payment",
            "ride-hailing-driver",
        ],
    ),
    (
        "going-abroad",
        "出国出境",
        "person",
        "护照、港澳通行证及签注。",
        ["p20"],
        ["passport", "hk-macao-permit"],
    ),
    (
        "needing-help",
        "困难救助",
        "person",
        "最低生活保障、公租房、残疾人证和法律援助。",
        ["p16", "p17", "p23"],
        [
            "minimum-living-allowance",
            "public-rental-housing",
            "disability-certificate",
            "legal-aid",
            "elderly-allowance",
        ],
    ),
    (
        "retiring",
        "退休养老",
        "person",
        "养老金申领、高龄津贴和公积金销户提取。",
        ["p29"],
        ["retirement-pension", "elderly-allowance", "housing-fund-withdrawal", "pension-transfer"],
    ),
    (
        "after-a-death",
        "身后事",
        "person",
        "死亡注销户口、丧葬补助金和殡葬费用减免。",
        ["p30"],
        ["death-household-cancel", "funeral-grant", "basic-funeral-exemption"],
    ),
    (
        "opening-a-restaurant",
        "开餐馆",
        "company",
        "从营业执照到食品经营许可、排水许可、消防检查、招牌、酒类和烟草零售。",
        ["c01", "c02", "c29"],
        [
            "company-registration",
            "sole-trader-registration",
            "food-business-licence",
            "seal-engraving-filing",
            "tax-registration-info",
            "invoice-application",
            "sewage-discharge-permit",
            "fire-safety-inspection",
            "outdoor-signboard",
            "liquor-retail",
            "tobacco-retail",
            "employer-social-insurance",
        ],
    ),
    (
        "starting-a-company",
        "开办企业",
        "company",
        "名称核准、设立登记、刻章、税务、发票、社保和公积金开户。",
        ["c01", "c05", "c07"],
        [
            "company-name-approval",
            "company-registration",
            "seal-engraving-filing",
            "tax-registration-info",
            "invoice-application",
            "employer-social-insurance",
            "housing-fund-account",
            "employment-registration-company",
        ],
    ),
    (
        "building-a-project",
        "工程建设",
        "company",
        "投资项目备案核准、用地和工程规划、环评、节能、消防、施工许可和竣工验收。",
        ["c08", "c16", "c18", "c29"],
        [
            "investment-project-filing",
            "investment-project-approval",
            "land-use-planning-permit",
            "construction-planning-permit",
            "environmental-impact-approval",
            "energy-saving-review",
            "fire-design-review",
            "construction-permit",
            "fire-acceptance",
            "completion-acceptance-filing",
        ],
    ),
    (
        "hiring-staff",
        "招聘用工",
        "company",
        "就业登记、单位参保、公积金缴存、特殊工时和外国人工作许可。",
        ["c06", "c07"],
        [
            "employment-registration-company",
            "employer-social-insurance",
            "housing-fund-account",
            "special-working-hours",
            "foreigner-work-permit",
        ],
    ),
    (
        "closing-a-company",
        "企业注销",
        "company",
        "清税、社保注销和注销登记。",
        ["c32"],
        ["tax-clearance", "employer-social-insurance-cancel", "company-deregistration"],
    ),
]

# (template key, kind, target template key, note): resolved per region (same region if the
# target is implemented there, else the nearest level above).
RELATIONS = [
    (
        "food-business-licence",
        "prerequisite",
        "company-registration",
        "先取得营业执照（先照后证）。",
    ),
    ("liquor-retail", "prerequisite", "food-business-licence", "须已取得食品经营许可证。"),
    ("tobacco-retail", "prerequisite", "company-registration", ""),
    ("company-registration", "follow_on", "seal-engraving-filing", "领取营业执照后刻制公章。"),
    ("company-registration", "follow_on", "tax-registration-info", "首次办税前确认税务信息。"),
    ("company-registration", "follow_on", "employer-social-insurance", ""),
    ("company-registration", "prerequisite", "company-name-approval", ""),
    ("company-deregistration", "prerequisite", "tax-clearance", "先取得清税证明。"),
    ("company-deregistration", "prerequisite", "employer-social-insurance-cancel", ""),
    ("construction-permit", "prerequisite", "construction-planning-permit", ""),
    ("construction-permit", "follow_on", "completion-acceptance-filing", ""),
    ("construction-planning-permit", "prerequisite", "land-use-planning-permit", ""),
    ("fire-acceptance", "prerequisite", "fire-design-review", ""),
    (
        "newborn-household-registration",
        "prerequisite",
        "birth-medical-certificate",
        "凭出生医学证明申报出生登记。",
    ),
    ("newborn-household-registration", "follow_on", "resident-medical-insurance", ""),
    ("marriage-registration", "related", "birth-registration-family-planning", ""),
    ("retirement-pension", "related", "housing-fund-withdrawal", "退休后可提取住房公积金。"),
    ("death-household-cancel", "related", "funeral-grant", ""),
    ("unemployment-benefit", "prerequisite", "employment-card", "先办理失业登记。"),
    ("pharmacy-licence", "prerequisite", "company-registration", ""),
]

# Bundles: (code, name, audience, region, lead template key, life event, themes, limit,
#           [(template key, region, required, condition)])
BUNDLES = [
    (
        "jiangmen-open-restaurant",
        "开餐馆一件事",
        "company",
        JIANGMEN,
        ("company-registration", JIANGMEN),
        "opening-a-restaurant",
        ["c01", "c02"],
        10,
        [
            ("company-registration", JIANGMEN, True, ""),
            ("seal-engraving-filing", JIANGMEN, True, ""),
            ("food-business-licence-001", JIANGMEN, True, ""),
            ("sewage-discharge-permit", JIANGMEN, True, ""),
            ("employer-social-insurance", JIANGMEN, False, "招用员工的"),
            ("outdoor-signboard", JIANGMEN, False, "设置户外招牌的"),
            ("fire-safety-inspection", JIANGMEN, False, "经营场所建筑面积300平方米及以上的"),
            ("liquor-retail", JIANGMEN, False, "销售酒类的"),
        ],
    ),
    (
        "jiangmen-start-company",
        "开办企业一件事",
        "company",
        JIANGMEN,
        ("company-registration", JIANGMEN),
        "starting-a-company",
        ["c01", "c05", "c07"],
        3,
        [
            ("company-registration", JIANGMEN, True, ""),
            ("seal-engraving-filing", JIANGMEN, True, ""),
            ("tax-registration-info", PROVINCE, True, ""),
            ("invoice-application", PROVINCE, False, "需要开具发票的"),
            ("employer-social-insurance", JIANGMEN, False, "招用员工的"),
            ("housing-fund-account", JIANGMEN, False, "招用员工的"),
        ],
    ),
    (
        "pengjiang-have-baby",
        "生孩子一件事",
        "person",
        PENGJIANG,
        ("newborn-household-registration", PENGJIANG),
        "having-a-baby",
        ["p01", "p02", "p16"],
        5,
        [
            ("birth-medical-certificate", JIANGMEN, True, ""),
            ("newborn-household-registration", PENGJIANG, True, ""),
            ("resident-medical-insurance", PENGJIANG, True, ""),
            ("social-security-card", PENGJIANG, True, ""),
            ("vaccination-certificate", PENGJIANG, True, ""),
            ("maternity-benefit", PENGJIANG, False, "母亲参加职工生育保险的"),
        ],
    ),
    (
        "chaozhou-open-restaurant",
        "开餐馆一件事",
        "company",
        CHAOZHOU,
        ("company-registration", CHAOZHOU),
        "opening-a-restaurant",
        ["c01", "c02"],
        10,
        [
            ("company-registration", CHAOZHOU, True, ""),
            ("seal-engraving-filing", CHAOZHOU, True, ""),
            ("food-business-licence-001", CHAOZHOU, True, ""),
            ("sewage-discharge-permit", CHAOZHOU, True, ""),
            ("outdoor-signboard", CHAOZHOU, False, "设置户外招牌的"),
            ("liquor-retail", CHAOZHOU, False, "销售酒类的"),
        ],
    ),
    (
        "jiangmen-close-company",
        "企业注销一件事",
        "company",
        JIANGMEN,
        ("company-deregistration", JIANGMEN),
        "closing-a-company",
        ["c32"],
        5,
        [
            ("tax-clearance", PROVINCE, True, ""),
            ("employer-social-insurance-cancel", JIANGMEN, True, ""),
            ("company-deregistration", JIANGMEN, True, ""),
        ],
    ),
]


def yes_no(code, text, yes, no, *, next_code=None, help_text=""):
    """A yes/no question; ``yes``/``no`` are outcome lists."""
    return {
        "code": code,
        "text": text,
        "help_text": help_text,
        "options": [
            {"code": "yes", "label": "是", "next": next_code, "outcomes": yes},
            {"code": "no", "label": "否", "next": next_code, "outcomes": no},
        ],
    }


def outcome(key, region, include=(), exclude=()):
    return {
        "item": (key, region),
        "include_materials": list(include),
        "exclude_materials": list(exclude),
    }


def restaurant_scenario(city: str, district: str, code: str, name: str) -> dict:
    """开餐馆: who opens it, how big, what it serves and sells, signs and staff."""
    has_fire = city == JIANGMEN  # 潮州's fire service is not among the loaded departments
    has_tobacco = city == JIANGMEN
    order = ["entity", "area", "menu", "alcohol"]
    if has_tobacco:
        order.append("tobacco")
    order += ["sign", "staff"]

    def after(question):
        index = order.index(question)
        return order[index + 1] if index + 1 < len(order) else None

    food = "food-business-licence-001"
    tax = [outcome("tax-registration-info", PROVINCE), outcome("invoice-application", PROVINCE)]
    questions = [
        {
            "code": "entity",
            "text": "您以什么身份开办餐馆？",
            "help_text": "新开一家餐馆需要先取得营业执照；已有营业执照的只需增加餐饮经营范围。",
            "options": [
                {
                    "code": "company",
                    "label": "新设立公司（有限责任公司等）",
                    "next": after("entity"),
                    "outcomes": [
                        outcome("company-registration", city),
                        outcome("seal-engraving-filing", city),
                        *tax,
                    ],
                },
                {
                    "code": "sole-trader",
                    "label": "个体工商户",
                    "next": after("entity"),
                    "outcomes": [outcome("sole-trader-registration", district), *tax[:1]],
                },
                {
                    "code": "existing",
                    "label": "已有营业执照，增加餐饮经营",
                    "next": after("entity"),
                    "outcomes": [outcome("company-change-registration", city)],
                },
            ],
        },
        {
            "code": "area",
            "text": "经营场所的建筑面积有多大？",
            "help_text": "建筑面积在300平方米及以上的餐馆属于公众聚集场所，营业前须通过消防安全检查。",
            "options": [
                {
                    "code": "small",
                    "label": "300平方米以下",
                    "next": after("area"),
                    "outcomes": [
                        outcome(food, city, include=["floorplan", "health"]),
                        outcome("sewage-discharge-permit", city, include=["grease"]),
                    ],
                },
                {
                    "code": "large",
                    "label": "300平方米及以上",
                    "next": after("area"),
                    "outcomes": [
                        outcome(food, city, include=["floorplan", "health"]),
                        outcome("sewage-discharge-permit", city, include=["grease"]),
                        *([outcome("fire-safety-inspection", city)] if has_fire else []),
                    ],
                },
            ],
        },
        yes_no(
            "menu",
            "是否经营凉菜、刺身等冷食生食，或现场制作饮品？",
            [outcome(food, city, include=["room"])],
            [],
            next_code=after("menu"),
            help_text="经营冷食类、生食类食品须设置专间，申请时提交专间说明。",
        ),
        yes_no(
            "alcohol",
            "是否销售酒类？",
            [outcome("liquor-retail", city)],
            [],
            next_code=after("alcohol"),
        ),
    ]
    if has_tobacco:
        questions.append(
            yes_no(
                "tobacco",
                "是否销售卷烟、雪茄烟？",
                [outcome("tobacco-retail", city)],
                [],
                next_code=after("tobacco"),
            )
        )
    questions += [
        yes_no(
            "sign",
            "是否在门店外设置招牌或户外广告？",
            [outcome("outdoor-signboard", city)],
            [],
            next_code=after("sign"),
        ),
        yes_no(
            "staff",
            "是否招用员工？",
            [
                outcome("employer-social-insurance", city),
                outcome("employment-registration-company", district),
            ],
            [],
            next_code=None,
            help_text="招用员工的，须办理单位社会保险登记和就业登记。",
        ),
    ]
    return {
        "code": code,
        "name": name,
        "life_event": "opening-a-restaurant",
        "region": city,
        "intro": "回答几个关于您餐馆的问题，我们将列出需要办理的全部事项和每项需要准备的材料；"
        "能从电子证照和共享数据获取的材料无需提交。",
        "is_published": True,
        "sort_order": 10,
        "questions": questions,
    }


def baby_scenario() -> dict:
    return {
        "code": "have-a-baby-pengjiang",
        "name": "我要生孩子（江门市蓬江区）",
        "life_event": "having-a-baby",
        "region": PENGJIANG,
        "intro": "从怀孕前到孩子出生后，回答以下问题，看看需要办哪些事、带哪些材料。",
        "is_published": True,
        "sort_order": 20,
        "questions": [
            yes_no(
                "registered",
                "是否已办理生育登记？",
                [],
                [outcome("birth-registration-family-planning", PENGJIANG)],
                next_code="hospital",
                help_text="生育第一、二个孩子实行生育登记服务，孕前孕后均可登记。",
            ),
            yes_no(
                "hospital",
                "孩子是否在江门市的医院出生？",
                [
                    outcome("birth-medical-certificate", JIANGMEN),
                    outcome("vaccination-certificate", PENGJIANG),
                ],
                [outcome("vaccination-certificate", PENGJIANG)],
                next_code="hukou",
            ),
            yes_no(
                "hukou",
                "父母一方是否为蓬江区户籍？",
                [outcome("newborn-household-registration", PENGJIANG)],
                [],
                next_code="maternity",
                help_text="新生儿随父或母在户籍地申报出生登记。",
            ),
            yes_no(
                "maternity",
                "母亲是否参加了职工生育保险？",
                [outcome("maternity-benefit", PENGJIANG)],
                [],
                next_code="insurance",
            ),
            yes_no(
                "insurance",
                "是否为孩子办理医疗保险和社会保障卡？",
                [
                    outcome("resident-medical-insurance", PENGJIANG, include=["birth"]),
                    outcome("social-security-card", PENGJIANG),
                ],
                [],
            ),
        ],
    }


def company_scenario() -> dict:
    return {
        "code": "start-a-company-jiangmen",
        "name": "我要开办企业（江门市）",
        "life_event": "starting-a-company",
        "region": JIANGMEN,
        "intro": "回答以下问题，一次列出开办企业需要办理的全部事项和材料。",
        "is_published": True,
        "sort_order": 30,
        "questions": [
            yes_no(
                "name",
                "企业名称是否已经核准？",
                [],
                [outcome("company-name-approval", JIANGMEN)],
                next_code="kind",
            ),
            {
                "code": "kind",
                "text": "开办的是哪类企业？",
                "help_text": "",
                "options": [
                    {
                        "code": "company",
                        "label": "新公司",
                        "next": "staff",
                        "outcomes": [
                            outcome("company-registration", JIANGMEN),
                            outcome("seal-engraving-filing", JIANGMEN),
                            outcome("tax-registration-info", PROVINCE),
                        ],
                    },
                    {
                        "code": "branch",
                        "label": "已有公司在江门设立分公司",
                        "next": "staff",
                        "outcomes": [
                            outcome("branch-registration", JIANGMEN),
                            outcome("seal-engraving-filing", JIANGMEN),
                            outcome("tax-registration-info", PROVINCE),
                        ],
                    },
                ],
            },
            yes_no(
                "staff",
                "是否招用员工？",
                [
                    outcome("employer-social-insurance", JIANGMEN),
                    outcome("housing-fund-account", JIANGMEN),
                    outcome("employment-registration-company", PENGJIANG),
                ],
                [],
                next_code="invoice",
            ),
            yes_no("invoice", "是否需要开具发票？", [outcome("invoice-application", PROVINCE)], []),
        ],
    }


def scenarios() -> list[dict]:
    return [
        restaurant_scenario(
            JIANGMEN, PENGJIANG, "open-a-restaurant-jiangmen", "我要开餐馆（江门市）"
        ),
        restaurant_scenario(
            CHAOZHOU, XIANGQIAO, "open-a-restaurant-chaozhou", "我要开餐馆（潮州市）"
        ),
        baby_scenario(),
        company_scenario(),
    ]
