"""The attribute catalogue of the base libraries, as data: one authoritative department each.

Owners are the provincial departments named in the reference department list (regions
data): household registration by public security (公安), marriage registration and
minimum-living support by civil affairs (民政), company registration by market regulation
(the 工商行政管理局 of the reference list), social insurance by human resources and
social security (人社), food business licences by food and drug administration, tax
credit ratings by the local tax bureau, disability by the disabled persons' federation.
``services.definitions.ensure()`` writes them; an administrator may add more in the admin.

Code tables follow the national standards named in ``standard``: GB/T 2261.1-2003 (sex),
GB/T 2261.2-2003 (marital status), GB 3304-1991 (ethnic groups, a few shown),
GB/T 26341-2010 (disability grades).
"""

PROVINCE = "440000"
PUBLIC_SECURITY = (PROVINCE, "广东省公安厅")
CIVIL_AFFAIRS = (PROVINCE, "广东省民政厅")
MARKET_REGULATION = (PROVINCE, "广东省工商行政管理局")
HUMAN_RESOURCES = (PROVINCE, "广东省人力资源和社会保障厅")
FOOD_DRUG = (PROVINCE, "广东省食品药品监督管理局")
LOCAL_TAX = (PROVINCE, "广东省地方税务局")
DISABLED_FEDERATION = (PROVINCE, "广东省残疾人联合会")

SEX = {"1": "男", "2": "女", "0": "未知的性别", "9": "未说明的性别"}
MARITAL_STATUS = {
    "10": "未婚",
    "20": "已婚",
    "21": "初婚",
    "22": "再婚",
    "23": "复婚",
    "30": "丧偶",
    "40": "离婚",
    "90": "未说明的婚姻状况",
}
ETHNIC_GROUP = {
    "01": "汉族",
    "02": "蒙古族",
    "03": "回族",
    "04": "藏族",
    "08": "壮族",
    "11": "满族",
    "17": "畲族",
    "15": "土家族",
    "06": "苗族",
    "05": "维吾尔族",
    "07": "彝族",
    "97": "其他",
    "98": "外国血统中国籍人士",
}
HOUSEHOLD_STATUS = {"1": "正常", "2": "迁出", "3": "死亡注销", "9": "其他注销"}
INSURED = {"1": "参保缴费", "2": "暂停缴费", "3": "终止参保", "0": "未参保"}
DIBAO = {"1": "在保", "0": "未在保", "2": "已退保"}
DISABILITY_GRADE = {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}
ENTITY_TYPE = {
    "1100": "有限责任公司",
    "1200": "股份有限公司",
    "2000": "非公司企业法人",
    "4000": "合伙企业",
    "4500": "个人独资企业",
    "9100": "农民专业合作社",
    "9500": "个体工商户",
}
REGISTRATION_STATUS = {"1": "存续", "2": "吊销", "3": "注销", "4": "迁出"}
TAX_CREDIT = {"A": "A级", "B": "B级", "M": "M级", "C": "C级", "D": "D级"}

POPULATION = "population"
LEGAL_PERSON = "legal_person"

# code, name, library, owner, value type, code table, standard, personal, description
ATTRIBUTES: list[tuple] = [
    # 人口库 · 公安（户籍）
    ("name", "姓名", POPULATION, PUBLIC_SECURITY, "text", {}, "", False, "户籍登记姓名"),
    ("sex", "性别", POPULATION, PUBLIC_SECURITY, "code", SEX, "GB/T 2261.1-2003", False, ""),
    ("birth_date", "出生日期", POPULATION, PUBLIC_SECURITY, "date", {}, "", False, ""),
    (
        "ethnic_group",
        "民族",
        POPULATION,
        PUBLIC_SECURITY,
        "code",
        ETHNIC_GROUP,
        "GB 3304-1991",
        False,
        "",
    ),
    (
        "household_region",
        "户籍地行政区划",
        POPULATION,
        PUBLIC_SECURITY,
        "code",
        {},
        "GB/T 2260",
        False,
        "户籍所在县级区划代码",
    ),
    ("household_address", "户籍地址", POPULATION, PUBLIC_SECURITY, "text", {}, "", True, ""),
    (
        "household_status",
        "户籍状态",
        POPULATION,
        PUBLIC_SECURITY,
        "code",
        HOUSEHOLD_STATUS,
        "",
        False,
        "迁出、死亡注销由公安机关登记",
    ),
    # 人口库 · 民政（婚姻登记）
    (
        "marital_status",
        "婚姻状况",
        POPULATION,
        CIVIL_AFFAIRS,
        "code",
        MARITAL_STATUS,
        "GB/T 2261.2-2003",
        False,
        "以婚姻登记记录为准",
    ),
    ("spouse_name", "配偶姓名", POPULATION, CIVIL_AFFAIRS, "text", {}, "", True, ""),
    (
        "spouse_id_number",
        "配偶身份证号码",
        POPULATION,
        CIVIL_AFFAIRS,
        "id_number",
        {},
        "GB 11643-1999",
        True,
        "加密存储，页面脱敏显示",
    ),
    (
        "marriage_registered_on",
        "婚姻登记日期",
        POPULATION,
        CIVIL_AFFAIRS,
        "date",
        {},
        "",
        False,
        "最近一次结婚或离婚登记的日期",
    ),
    ("marriage_registry", "婚姻登记机关", POPULATION, CIVIL_AFFAIRS, "text", {}, "", False, ""),
    (
        "marriage_certificate_no",
        "婚姻登记证字号",
        POPULATION,
        CIVIL_AFFAIRS,
        "text",
        {},
        "",
        False,
        "结婚证或离婚证字号",
    ),
    # 人口库 · 民政（社会救助）
    ("dibao_status", "最低生活保障状态", POPULATION, CIVIL_AFFAIRS, "code", DIBAO, "", False, ""),
    ("dibao_since", "纳入低保日期", POPULATION, CIVIL_AFFAIRS, "date", {}, "", False, ""),
    # 人口库 · 人社（社会保险）
    (
        "pension_insurance",
        "养老保险参保状态",
        POPULATION,
        HUMAN_RESOURCES,
        "code",
        INSURED,
        "",
        False,
        "",
    ),
    (
        "medical_insurance",
        "医疗保险参保状态",
        POPULATION,
        HUMAN_RESOURCES,
        "code",
        INSURED,
        "",
        False,
        "",
    ),
    ("insured_employer", "参保单位", POPULATION, HUMAN_RESOURCES, "text", {}, "", False, ""),
    # 人口库 · 残联
    (
        "disability_grade",
        "残疾等级",
        POPULATION,
        DISABLED_FEDERATION,
        "code",
        DISABILITY_GRADE,
        "GB/T 26341-2010",
        True,
        "",
    ),
    # 法人库 · 市场监管（登记）
    ("name", "名称", LEGAL_PERSON, MARKET_REGULATION, "text", {}, "", False, ""),
    (
        "entity_type",
        "市场主体类型",
        LEGAL_PERSON,
        MARKET_REGULATION,
        "code",
        ENTITY_TYPE,
        "",
        False,
        "",
    ),
    (
        "legal_representative",
        "法定代表人",
        LEGAL_PERSON,
        MARKET_REGULATION,
        "text",
        {},
        "",
        False,
        "",
    ),
    (
        "registered_capital",
        "注册资本（万元）",
        LEGAL_PERSON,
        MARKET_REGULATION,
        "decimal",
        {},
        "",
        False,
        "",
    ),
    ("established_on", "成立日期", LEGAL_PERSON, MARKET_REGULATION, "date", {}, "", False, ""),
    ("registered_address", "住所", LEGAL_PERSON, MARKET_REGULATION, "text", {}, "", False, ""),
    (
        "region_code",
        "所在行政区划",
        LEGAL_PERSON,
        MARKET_REGULATION,
        "code",
        {},
        "GB/T 2260",
        False,
        "",
    ),
    (
        "registration_authority",
        "登记机关",
        LEGAL_PERSON,
        MARKET_REGULATION,
        "text",
        {},
        "",
        False,
        "",
    ),
    (
        "registration_status",
        "登记状态",
        LEGAL_PERSON,
        MARKET_REGULATION,
        "code",
        REGISTRATION_STATUS,
        "",
        False,
        "",
    ),
    ("business_scope", "经营范围", LEGAL_PERSON, MARKET_REGULATION, "text", {}, "", False, ""),
    # 法人库 · 其他来源
    (
        "employees_insured",
        "参保职工人数",
        LEGAL_PERSON,
        HUMAN_RESOURCES,
        "integer",
        {},
        "",
        False,
        "",
    ),
    ("food_licence_no", "食品经营许可证编号", LEGAL_PERSON, FOOD_DRUG, "text", {}, "", False, ""),
    (
        "tax_credit_rating",
        "纳税信用等级",
        LEGAL_PERSON,
        LOCAL_TAX,
        "code",
        TAX_CREDIT,
        "",
        False,
        "",
    ),
]

#: The 婚姻登记 fields (a sharing resource of civil affairs names these).
MARRIAGE_FIELDS = (
    "marital_status",
    "spouse_name",
    "spouse_id_number",
    "marriage_registered_on",
    "marriage_registry",
    "marriage_certificate_no",
)

# code, name, library, description, conditions, listed fields
THEMES: list[tuple] = [
    (
        "dibao_households",
        "低保对象",
        POPULATION,
        "正在享受最低生活保障的人员（民政）",
        [{"attribute": "dibao_status", "op": "eq", "value": "1"}],
        ["name", "household_region", "dibao_since"],
    ),
    (
        "elderly_80",
        "80周岁以上老年人",
        POPULATION,
        "户籍正常、年满80周岁的老年人（高龄津贴对象）",
        [
            {"attribute": "birth_date", "op": "age_gte", "value": 80},
            {"attribute": "household_status", "op": "eq", "value": "1"},
        ],
        ["name", "birth_date", "household_region"],
    ),
    (
        "disabled_persons",
        "持证残疾人",
        POPULATION,
        "已评定残疾等级的人员（残联）",
        [{"attribute": "disability_grade", "op": "present"}],
        ["name", "disability_grade", "household_region"],
    ),
    (
        "food_licence_holders",
        "持有食品经营许可证的企业",
        LEGAL_PERSON,
        "存续且持有食品经营许可证的市场主体",
        [
            {"attribute": "food_licence_no", "op": "present"},
            {"attribute": "registration_status", "op": "eq", "value": "1"},
        ],
        ["name", "food_licence_no", "region_code"],
    ),
    (
        "a_rated_taxpayers",
        "A级纳税人",
        LEGAL_PERSON,
        "纳税信用等级为A级的企业",
        [{"attribute": "tax_credit_rating", "op": "eq", "value": "A"}],
        ["name", "tax_credit_rating", "region_code"],
    ),
]
