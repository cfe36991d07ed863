"""Workstations, activities, trainings, partners and charity resources of the demo district
(DOMAIN.md sections 6-7), after the people, the case work and the funds.

- **Stations** at three levels, with the six brands of the report (一站一品): the district's
  昆工有爱·护芽成长; the streets' 友谊家·童心梦 and 前进家庭·'未'爱守护; the town's '青'力相伴
  '益'童成长; the communities' 小站大爱·护苗暖童 and 石榴向阳花开; and one unbranded village station.
- **Partners**: the charity federation and the social-work centre that already exist, five more
  social organisations, a foundation, two caring companies, the procuratorate and the court — with
  contacts and agreements.
- **Activities**: a few dozen over the past year (sand-tray play, dough figures, camps, study
  trips, festivals, tutoring, parent classes) and a few coming up, children of the station's area
  enrolled (eligible by age on the day), attendance taken for the held ones; some count for 童心有梦.
- **Trainings** for the supervisors and directors, attendance recorded for the held ones.
- **Resources** (慈善+未保): camp and study-trip places, money, goods, volunteer hours; two matched
  and confirmed through the services (so the receipts are on the archives and audited), one with
  a proposed list awaiting the supervisor, one open.

Made once: skipped when the district's station exists. Fast on every size: enrolments are
chosen by one query per activity and written with bulk_create.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from huhang.accounts.models import Organisation, User
from huhang.cases.models import ServiceProject
from huhang.community.eligibility import age_band_q
from huhang.community.models import (
    Activity,
    Enrolment,
    PartnerContact,
    PartnerProfile,
    ProjectTarget,
    Workstation,
)
from huhang.community.partners import services
from huhang.community.trainings.services import training_create
from huhang.demo import divisions
from huhang.regions.models import Division, subtree_q
from huhang.registry.models import Child, ChildStatus

DISTRICT_STATION = "昆都仑区未成年人保护工作站"

# (name, level, division name, brand, address)
STATIONS = (
    (
        DISTRICT_STATION,
        "district",
        divisions.DISTRICT[1],
        "昆工有爱·护芽成长",
        "昆都仑区钢铁大街66号",
    ),
    ("友谊大街街道未成年人保护工作站", "street", "友谊大街街道", "友谊家·童心梦", "友谊大街18号"),
    ("前进道街道未成年人保护工作站", "street", "前进道街道", "前进家庭·'未'爱守护", "前进道21号"),
    ("昆河镇未成年人保护工作站", "street", "昆河镇", "'青'力相伴 '益'童成长", "昆河镇政府院内"),
    (
        "友谊十八社区儿童之家",
        "community",
        divisions.DIRECTOR_COMMUNITY,
        "小站大爱·护苗暖童",
        "友谊十八社区党群服务中心二楼",
    ),
    ("石榴社区儿童之家", "community", "石榴社区", "石榴向阳花开", "石榴社区服务站一楼"),
    ("哈业胡同村儿童之家", "community", divisions.DIRECTOR2_VILLAGE, "", "哈业胡同村村委会"),
)
ROOMS = "心理辅导室（沙盘）\n阅览室\n多功能活动室\n儿童议事角"
VOLUNTEERS = "包钢退休教师 张秀兰\n内蒙古科技大学志愿者 何宇\n社区五老 白玉山"

# (name, kind, contact person, position, phone)
PARTNERS = (
    ("包头市慈善总会", "charity", "高志强", "项目部部长", "0472-2112345"),
    ("童心有梦社会工作服务中心", "social_work", "刘红梅", "主任", "0472-5123456"),
    ("鹿城青少年发展服务中心", "social_org", "韩冰", "理事长", "0472-5234567"),
    ("昆都仑区益童社会工作服务社", "social_org", "马丽", "社工督导", "0472-5345678"),
    ("包头市春晖志愿者协会", "social_org", "杜刚", "会长", "0472-5456789"),
    ("昆都仑区心理咨询师协会", "social_org", "孟晓燕", "秘书长", "0472-5567890"),
    ("包头市草原雏鹰公益服务中心", "social_org", "巴图", "负责人", "0472-5678901"),
    ("包头市阳光助学基金会", "charity", "宋雅琴", "秘书长", "0472-5789012"),
    ("包头钢城爱心企业联合会", "company", "吕建国", "会长", "0472-5890123"),
    ("鹿城文具有限公司", "company", "田野", "总经理", "0472-5901234"),
    ("昆都仑区人民检察院", "procuratorate", "郝静", "未检科科长", "0472-2223344"),
    ("昆都仑区人民法院", "court", "贾宁", "少年庭庭长", "0472-2334455"),
)

# (title, kind, capacity, min age, max age)
ACTIVITY_PLAN = (
    ("心灵沙盘·快乐成长", "sand_tray", 12, 6, 14),
    ("巧手面塑迎新春", "dough", 20, 6, 16),
    ("草原夏令营", "summer_camp", 30, 8, 15),
    ("冰雪冬令营", "winter_camp", 25, 8, 15),
    ("走进包钢博物馆研学", "study_trip", 30, 9, 16),
    ("端午节包粽子", "festival", 25, 4, 17),
    ("暑期课业辅导", "tutoring", 15, 7, 15),
    ("家长课堂：如何与孩子沟通", "parent_class", 30, None, None),
    ("中秋团圆会", "festival", 30, 4, 17),
    ("安全自护小课堂", "other", 25, 6, 14),
)

TRAININGS = (
    ("儿童督导员、儿童主任业务能力提升培训", "包头市民政局儿童福利科", Decimal("6.0"), -300),
    ("事实无人抚养儿童认定政策解读", "昆都仑区民政局", Decimal("3.0"), -240),
    ("未成年人保护法与强制报告制度", "昆都仑区人民检察院 郝静", Decimal("2.5"), -180),
    ("儿童心理危机识别与干预", "昆都仑区心理咨询师协会", Decimal("4.0"), -120),
    ("入户探访与信息系统使用", "昆都仑区民政局", Decimal("2.0"), -60),
    ("困境儿童个案管理实务", "童心有梦社会工作服务中心", Decimal("3.5"), -20),
    ("寒假儿童安全工作部署", "昆都仑区民政局", Decimal("1.5"), 20),
)


def load(progress: Callable[[str], None] | None = None, *, today: date | None = None) -> dict:
    """Create the demo's community work once; returns what was made (empty when skipped)."""
    today = today or timezone.localdate()
    names = ("bureau", "supervisor", "director", "director2", "partner")
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    if len(users) != len(names) or not Child.objects.exists():
        return {}
    if Workstation.objects.filter(name=DISTRICT_STATION).exists():
        if progress:
            progress("工作站与活动示例已存在，未重复生成")
        return {}
    made: dict[str, int] = {}
    with transaction.atomic():
        stations = _stations(users, made)
        partners = _partners(users["bureau"], today, made)
        _activities(users, stations, partners, today, made)
        _trainings(users, stations, today, made)
        _resources(users, partners, today, made)
    if progress:
        progress(
            f"工作站 {made['stations']} 个，合作伙伴 {made['partners']} 家，"
            f"活动 {made['activities']} 场（报名 {made['enrolments']} 人次），"
            f"培训 {made['trainings']} 期，慈善资源 {made['resources']} 项"
            f"（受助 {made.get('received', 0)} 人次）"
        )
    return made


def _stations(users, made) -> list[Workstation]:
    stations = []
    for name, level, division, brand, address in STATIONS:
        station = Workstation.objects.create(
            name=name,
            level=level,
            division_id=divisions.code_of(division),
            address=address,
            brand=brand,
            brand_story=f"{brand}：以站为家，守护儿童成长。" if brand else "",
            opening_hours="周一至周五 8:30–12:00，14:30–17:30；寒暑假周六开放",
            phone="0472-21" + str(10000 + len(stations) * 1111)[-5:],
            rooms=ROOMS,
            volunteers=VOLUNTEERS,
        )
        staff = [users["bureau"]] if level == "district" else []
        if division in ("友谊大街街道", divisions.DIRECTOR_COMMUNITY):
            staff = [users["supervisor"], users["director"]]
        if division in ("昆河镇", divisions.DIRECTOR2_VILLAGE):
            staff = [users["director2"]]
        station.staff.set(staff)
        stations.append(station)
    made["stations"] = len(stations)
    return stations


def _partners(bureau, today, made) -> list[Organisation]:
    orgs = []
    for i, (name, kind, person, position, phone) in enumerate(PARTNERS):
        org, _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind})
        linked = today - timedelta(days=700 - i * 40)
        profile, created = PartnerProfile.objects.get_or_create(
            organisation=org,
            defaults={
                "linked_on": linked,
                "description": f"{org.get_kind_display()}，参与昆都仑区“慈善+未保”工作。",
                "created_by": bureau,
            },
        )
        if created:
            PartnerContact.objects.create(
                partner=profile, name=person, position=position, phone=phone
            )
            services.agreement_add(
                by=bureau,
                partner=profile,
                title=f"{name}与昆都仑区民政局未成年人关爱保护合作协议",
                signed_on=linked,
                starts_on=linked,
                ends_on=linked + timedelta(days=3 * 365),
            )
        orgs.append(org)
    made["partners"] = len(orgs)
    return orgs


def _activities(users, stations, partners, today, made) -> None:
    project = ServiceProject.objects.filter(name="童心有梦").first()
    creators = {
        "district": users["bureau"],
        "street": users["supervisor"],
        "community": users["director"],
    }
    enrolments: list[Enrolment] = []
    activities = 0
    for n in range(36):
        station = stations[n % len(stations)]
        title, kind, capacity, lo, hi = ACTIVITY_PLAN[n % len(ACTIVITY_PLAN)]
        held_on = today - timedelta(days=350 - n * 10)  # the last four lie ahead
        by = creators[station.level]
        if station.division_id.startswith(divisions.code_of("昆河镇")):
            by = users["director2"] if station.level == "community" else users["bureau"]
        if station.division_id.startswith(
            divisions.code_of("前进道街道")
        ) or station.name.startswith("石榴"):
            by = users["bureau"]
        with_partners = [partners[2 + n % 7]] + ([partners[0]] if n % 3 == 0 else [])
        activity = Activity.objects.create(
            title=title,
            kind=kind,
            station=station,
            held_on=held_on,
            ends_on=held_on + timedelta(days=4) if kind.endswith("camp") else None,
            place=station.address,
            capacity=capacity,
            min_age=lo,
            max_age=hi,
            project=project if project and kind in ("sand_tray", "tutoring") else None,
            summary=_summary(kind) if held_on <= today else "",
            created_by=by,
        )
        activity.organisers.set([by])
        activity.partners.set(with_partners)
        activities += 1
        # Children of the station's area, of age on the day; one query per activity.
        pool = (
            Child.objects.filter(
                subtree_q(station.division_id, "division_id"),
                age_band_q(held_on, lo, hi, "search_birth"),
                status=ChildStatus.ACTIVE,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        start = (n * 7) % 50
        chosen = list(pool[start : start + capacity * 3 // 4])
        if len(chosen) < capacity // 2:
            chosen = list(pool[: capacity * 3 // 4])
        held = held_on <= today
        enrolments.extend(
            Enrolment(
                activity=activity,
                child_id=pk,
                attended=((pk + n) % 7 != 0) if held else None,
                enrolled_by=by,
            )
            for pk in chosen
        )
    Enrolment.objects.bulk_create(enrolments, batch_size=1000)
    if project is not None:
        ProjectTarget.objects.get_or_create(
            project=project,
            defaults={"target_activities": 12, "target_children": 60, "notes": "示例目标"},
        )
    made["activities"] = activities
    made["enrolments"] = len(enrolments)


def _summary(kind: str) -> str:
    return {
        "sand_tray": "孩子们通过沙盘表达内心感受，社工逐一回应，气氛轻松。",
        "dough": "志愿者老师示范面塑技法，孩子们完成生肖作品并带回家。",
        "summer_camp": "五天营地生活，草原徒步、团队拓展，孩子们结识新朋友。",
        "winter_camp": "滑雪体验与冬季安全教育，孩子们学会相互照顾。",
        "study_trip": "参观钢铁工业历史，了解家乡发展，完成研学手册。",
        "festival": "共度传统节日，邻里志愿者陪伴，孩子们表演节目。",
        "tutoring": "大学生志愿者一对一辅导作业，帮助孩子养成学习习惯。",
        "parent_class": "讲解亲子沟通方法，家长分享养育困难，社工现场答疑。",
    }.get(kind, "活动顺利开展，孩子们积极参与。")


def _trainings(users, stations, today, made) -> None:
    people = [users["supervisor"], users["director"], users["director2"]]
    for i, (topic, trainer, hours, offset) in enumerate(TRAININGS):
        held_on = today + timedelta(days=offset)
        training_create(
            by=users["bureau"],
            topic=topic,
            held_on=held_on,
            trainer=trainer,
            hours=hours,
            division=users["bureau"].division,
            place=stations[0].address,
            station=stations[0],
            attendees=(people if i % 3 else people[:2]) if held_on <= today else (),
            today=today,
        )
    made["trainings"] = len(TRAININGS)


def _resources(users, partners, today, made) -> None:
    bureau, supervisor = users["bureau"], users["supervisor"]
    street = divisions.code_of(divisions.DIRECTOR_STREET)
    street_div = Division.objects.get(pk=street)
    district_div = Division.objects.get(pk=divisions.DISTRICT[0])
    plan = [
        # partner, kind, title, quantity, amount, per child, days from today, categories, ages, area, step
        (
            partners[0],
            "camp",
            "“慈善+未保”草原夏令营",
            20,
            0,
            "五天营地名额",
            -120,
            ["orphan", "dfuc", "difficulty"],
            (8, 15),
            district_div,
            "confirm",
        ),
        (
            partners[7],
            "money",
            "阳光助学金",
            10,
            100000,
            "",
            -60,
            ["orphan", "dfuc"],
            (6, 17),
            district_div,
            "confirm",
        ),
        (
            partners[8],
            "goods",
            "冬季爱心包（羽绒服、棉鞋）",
            30,
            0,
            "羽绒服一件、棉鞋一双",
            -10,
            ["difficulty", "left_behind"],
            (3, 16),
            street_div,
            "propose",
        ),
        (
            partners[2],
            "study_trip",
            "黄河湿地研学营",
            15,
            0,
            "两日研学名额",
            30,
            [],
            (9, 15),
            street_div,
            None,
        ),
        (
            partners[4],
            "volunteer",
            "大学生志愿者课业辅导",
            20,
            0,
            "每周两小时辅导",
            15,
            [],
            (7, 14),
            district_div,
            None,
        ),
    ]
    received = 0
    for org, kind, title, qty, amount, per_child, offset, cats, (lo, hi), area, step in plan:
        day = today + timedelta(days=offset)
        resource = services.resource_create(
            by=bureau,
            partner=org,
            kind=kind,
            title=title,
            quantity=qty,
            amount_fen=amount,
            per_child=per_child,
            available_on=day,
            min_age=lo,
            max_age=hi,
            categories=cats,
            divisions=[area],
        )
        if step is None:
            continue
        matcher = bureau if area == district_div else supervisor
        services.resource_propose(by=matcher, resource=resource)
        if step == "confirm":
            keep = set(resource.allocations.values_list("pk", flat=True))
            if keep:
                received += services.resource_confirm(
                    by=matcher, resource=resource, keep=keep, received_on=day
                )
    made["resources"] = len(plan)
    made["received"] = received
