"""Case work of the demo district, told through the services (so it is audited like real work).

The report's example end to end (DOMAIN.md, "The work" 4): 王小海, 9, lost his father, moved with
his mother into a 30 m² old house and withdrew. The director opens a case; the 童心有梦
purchased-service project's social worker assesses him (medium risk) and counsels him weekly;
the supervisor approves the plan; the bureau refers the family to the housing bureau for public
rental housing (廉租房), the street office follows it up, the housing bureau allocates a flat; the
director visits the new home. Around it, for realism: a high-risk case with its alert, a case
in director2's village, one resolved and one open temporary guardianship (临时监护).

Everything is dated relative to today (like the people), in the past, and made once: the run is
skipped when 王小海 already has the 童心有梦 case. The services stamp "now" on what they record
(opening, transitions, plan approval); those stamps are moved back to the story's days, because a
case opened "today" after an assessment four months ago would make no sense on the archive page.
The audit trail is left alone: it truthfully says the demo was loaded today.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from huhang.accounts.models import Organisation, User
from huhang.cases import services
from huhang.cases.emergency import services as emergency_services
from huhang.cases.models import (
    Alert,
    Assessment,
    Case,
    CaseEvent,
    CoordinationEntry,
    EmergencyProtection,
    HomeVisit,
    ServicePlan,
    ServiceProject,
)
from huhang.cases.visits import services as visit_services
from huhang.demo import divisions
from huhang.demo.situations import add_months
from huhang.registry.models import Child

TZ = ZoneInfo("Asia/Shanghai")
PROJECT_NAME = "童心有梦"
CONTRACTOR = "童心有梦社会工作服务中心"
HOUSING_BUREAU = "昆都仑区住房和城乡建设局"
RESCUE_CENTRE = "包头市未成年人救助保护中心"
XIAOHAI = "王小海"
# Sessions of weekly counselling (the first a longer intake conversation).
COUNSELLING_NOTES = (
    "初次会谈：建立关系，孩子低头少语，用绘画表达“想爸爸”",
    "沙盘游戏：摆放“一家三口”场景，谈及父亲生病住院的经过",
    "哀伤辅导：制作“给爸爸的一封信”，情绪有所释放",
    "情绪识别练习，学习用语言说出难过和害怕",
    "讨论搬家与新学校的担心，练习向同学自我介绍",
    "与班主任沟通后，孩子愿意参加班级值日小组",
    "自信心训练：完成并展示手工作品，得到同学称赞",
    "谈及与母亲的相处，约定每天睡前聊十分钟",
    "孩子主动讲述学校趣事，课间开始与两名同学玩耍",
    "复习情绪调节方法，孩子能说出三种让自己平静的办法",
    "讨论搬入新居后的作息，愿意邀请同学到家里做作业",
    "阶段回顾：孩子笑容增多，母亲反映在家话多了",
)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


@dataclass(frozen=True)
class People:
    bureau: User
    supervisor: User
    director: User
    director2: User
    socialworker: User


def load(progress: Callable[[str], None] | None = None, *, today: date | None = None) -> dict:
    """Create the demo's case work once; returns what was made (empty when skipped)."""
    today = today or timezone.localdate()
    people = _people()
    xiaohai = _child_named(XIAOHAI, divisions.DIRECTOR_COMMUNITY)
    contractor = Organisation.objects.filter(name=CONTRACTOR).first()
    if people is None or xiaohai is None or contractor is None:
        return {}  # not the demo district (or not loaded): nothing to tell the story with
    if Case.objects.filter(child=xiaohai, project__name=PROJECT_NAME).exists():
        if progress:
            progress("个案示例已存在，未重复生成")
        return {}
    with transaction.atomic():
        project = _project(contractor, today)
        made = {"xiaohai_case": wang_xiaohai(people, xiaohai, project, today).pk}
        made.update(_other_cases(people, today))
        made.update(_emergencies(people, today))
    if progress:
        cases = sum(key.endswith("case") for key in made)
        guardianships = sum(key.endswith("emergency") for key in made)
        progress(
            f"个案示例：王小海（{PROJECT_NAME}项目），个案共 {cases} 个，临时监护 {guardianships} 起"
        )
    return made


def _people() -> People | None:
    names = ("bureau", "supervisor", "director", "director2", "socialworker")
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    return People(**users) if len(users) == len(names) else None


def _child_named(name: str, community: str) -> Child | None:
    return (
        Child.objects.filter(person__name=name, division_id=divisions.code_of(community))
        .select_related("person")
        .order_by("pk")
        .first()
    )


def _pick(community: str, *wanted: tuple[str, str]) -> Child | None:
    """The first child (by key: deterministic) of the community holding one of the wanted
    (category, status) pairs, in order of preference; else the community's first child."""
    base = Child.objects.filter(division_id=divisions.code_of(community)).exclude(
        person__name=XIAOHAI
    )
    for category, status in wanted:
        found = base.filter(categories__category=category, categories__status=status)
        child = found.select_related("person").order_by("pk").first()
        if child is not None:
            return child
    return base.select_related("person").order_by("pk").first()


def _project(contractor: Organisation, today: date) -> ServiceProject:
    """The purchased-service project's contract year, which always covers the story."""
    starts = (today - timedelta(days=150)).replace(day=1)
    project, _ = ServiceProject.objects.get_or_create(
        name=PROJECT_NAME,
        defaults={
            "contractor": contractor,
            "starts_on": starts,
            "ends_on": add_months(starts, 12) - timedelta(days=1),
            "budget_fen": 280_000_00,  # 28万元
            "target_cases": 40,
            "target_hours": 1200,
        },
    )
    return project


# --- 王小海 -------------------------------------------------------------------------------------


def wang_xiaohai(p: People, child: Child, project: ServiceProject, today: date) -> Case:
    def day(n: int) -> date:
        return today - timedelta(days=n)

    visit_services.visit_record(
        by=p.director,
        child=child,
        visited_on=day(124),
        findings=(
            "入户了解：母子二人居住约30平方米老旧平房，屋内阴暗潮湿、冬季取暖困难。"
            "孩子低头不语，母亲反映父亲去世后孩子不愿出门、不与同学交往。拟申请个案服务。"
        ),
        today=today,
    )
    case = services.case_open(
        by=p.director,
        child=child,
        source="worker",
        source_detail="儿童主任入户走访发现",
        summary=(
            "9岁男孩，父亲因病去世后随母亲搬入约30平方米的老旧平房，家庭享受城市低保。"
            "孩子性格变得内向孤僻，不愿与人交流，学习成绩下滑。"
        ),
        project=project,
    )
    assessment = services.assessment_record(
        by=p.socialworker,
        case=case,
        assessed_on=day(113),
        scores={
            "safety": 0,
            "health": 0,
            "education": 1,
            "psychology": 2,
            "family": 1,
            "living": 2,
            "support": 1,
        },
        notes={
            "psychology": "丧父后哀伤未得到疏解，退缩、少语，回避同伴",
            "living": "住房面积约30平方米，老旧平房，无独立厨卫；收入依靠低保和母亲打零工",
            "family": "母亲监护尽责，但情绪低落，与孩子沟通少",
            "education": "成绩由中上滑至中下，课堂参与少",
            "support": "亲属较少往来，社区邻里愿意帮助",
        },
    )
    plan = services.plan_draft(
        by=p.socialworker,
        case=case,
        goals="疏解丧父哀伤、恢复与同伴交往；改善居住条件；增强母亲的亲子沟通能力",
        actions=[
            {
                "action": "协调住建部门申请公共租赁住房（廉租房）",
                "responsible": "区民政局 · 友谊大街街道办事处",
                "due_on": day(60),
            },
            {
                "action": "每周一次个体心理疏导（共12次）",
                "responsible": f"{CONTRACTOR} 陈静",
                "due_on": day(20),
            },
            {
                "action": "与班主任建立联系，关注在校表现",
                "responsible": f"{CONTRACTOR} 陈静",
                "due_on": day(90),
            },
        ],
    )
    services.plan_approve(by=p.supervisor, plan=plan)
    referral = services.referral_send(
        by=p.bureau,
        case=case,
        agency="housing",
        agency_name=HOUSING_BUREAU,
        request=(
            "王小海母子二人居住约30平方米老旧平房，家庭享受城市低保，"
            "申请公共租赁住房（廉租房）实物配租。"
        ),
        sent_on=day(105),
    )
    for n, note in enumerate(COUNSELLING_NOTES):
        services.service_record(
            by=p.socialworker,
            case=case,
            kind="counselling",
            delivered_on=day(101 - 7 * n),
            minutes=90 if n == 0 else 60,
            note=note,
        )
    services.service_record(
        by=p.socialworker,
        case=case,
        kind="family",
        delivered_on=day(66),
        minutes=90,
        note="亲子沟通辅导：与母亲一起练习倾听和表达，母亲表示会多陪伴孩子",
    )
    services.referral_follow_up(
        by=p.supervisor,
        referral=referral,
        on=day(88),
        note="会同友谊大街街道办事处核实住房和收入情况，补齐低保证明，住建局已受理审核",
    )
    services.referral_answer(
        by=p.bureau,
        referral=referral,
        response=(
            "经审核符合低保家庭公共租赁住房保障条件，同意实物配租："
            "阳光家园小区3号楼一套两居室（约50平方米），租金按低保家庭标准减免。"
        ),
        responded_on=day(61),
        resolved=True,
    )
    services.referral_follow_up(
        by=p.supervisor,
        referral=referral,
        on=day(45),
        note="街道办事处协助办理入住手续并联系志愿者帮忙搬家，母子二人已搬入新居",
    )
    visit_services.visit_record(
        by=p.director,
        child=child,
        case=case,
        visited_on=day(30),
        findings=(
            "探访新居：房屋明亮干燥，孩子有了自己的书桌。孩子主动打招呼，"
            "讲起学校的朋友；母亲情绪明显好转。继续关注学习情况。"
        ),
        today=today,
    )
    _backdate_case(
        case,
        opened=at(day(120), 9, 30),
        steps={"assessed": at(day(113), 15), "plan_approved": at(day(108), 11)},
        first_service=at(day(101), 16),
    )
    Assessment.objects.filter(pk=assessment.pk).update(created_at=at(day(113), 15))
    ServicePlan.objects.filter(pk=plan.pk).update(
        drafted_at=at(day(110), 14), approved_at=at(day(108), 11)
    )
    _backdate_visits(child)
    return case


def _backdate_case(
    case: Case,
    *,
    opened: datetime,
    steps: dict[str, datetime],
    first_service: datetime | None = None,
) -> None:
    Case.objects.filter(pk=case.pk).update(opened_at=opened)
    moments = {"open": opened, **steps}
    if first_service is not None:
        moments["in_service"] = first_service
    for status, moment in moments.items():
        CaseEvent.objects.filter(case=case, to_status=status).update(at=moment)
    Alert.objects.filter(case=case).update(created_at=steps.get("assessed", opened))


def _backdate_visits(child: Child) -> None:
    for visit in HomeVisit.objects.filter(child=child):
        HomeVisit.objects.filter(pk=visit.pk).update(recorded_at=at(visit.visited_on, 18))


# --- other cases --------------------------------------------------------------------------------


def _other_cases(p: People, today: date) -> dict:
    def day(n: int) -> date:
        return today - timedelta(days=n)

    made = {}
    left_behind = _pick(divisions.DIRECTOR_COMMUNITY, ("left_behind", "approved"))
    if left_behind is not None:
        case = services.case_open(
            by=p.director,
            child=left_behind,
            source="school",
            source_detail="班主任电话反映",
            summary=(
                "父母在外地务工，随祖母生活。祖母近日因脑梗住院，孩子独自在家，"
                "连续三天未到校，邻居反映夜间无人照看。"
            ),
        )
        services.assessment_record(
            by=p.supervisor,
            case=case,
            assessed_on=day(5),
            scores={
                "safety": 3,
                "health": 1,
                "education": 2,
                "psychology": 1,
                "family": 3,
                "living": 1,
                "support": 2,
            },
            notes={
                "safety": "独自在家，夜间无成年人照看",
                "family": "祖母住院，父母一时无法返回",
            },
        )
        visit_services.visit_record(
            by=p.director,
            child=left_behind,
            case=case,
            visited_on=day(4),
            findings="已联系姑姑临时照看并接孩子到家中居住；父亲表示一周内返回。",
            today=today,
        )
        _backdate_case(case, opened=at(day(6), 16), steps={"assessed": at(day(5), 11)})
        _backdate_visits(left_behind)
        made["high_risk_case"] = case.pk

    village = _pick(divisions.DIRECTOR2_VILLAGE, ("dfuc", "approved"))
    if village is not None:
        case = services.case_open(
            by=p.director2,
            child=village,
            source="worker",
            summary="事实无人抚养儿童，随祖父母生活，学习基础薄弱，需要课业辅导。",
        )
        services.assessment_record(
            by=p.director2,
            case=case,
            assessed_on=day(196),
            scores={
                "safety": 0,
                "health": 0,
                "education": 1,
                "psychology": 1,
                "family": 1,
                "living": 1,
                "support": 1,
            },
        )
        plan = services.plan_draft(
            by=p.director2,
            case=case,
            goals="提高学习成绩，稳定照料安排",
            actions=[{"action": "每月两次课业辅导", "responsible": "儿童主任", "due_on": day(100)}],
        )
        services.plan_approve(by=p.bureau, plan=plan)
        for n in (180, 166, 152, 138):
            services.service_record(
                by=p.director2,
                case=case,
                kind="tutoring",
                delivered_on=day(n),
                minutes=120,
                note="数学和语文作业辅导",
            )
        _backdate_case(
            case,
            opened=at(day(200), 10),
            steps={"assessed": at(day(196), 10), "plan_approved": at(day(192), 10)},
            first_service=at(day(180), 16),
        )
        ServicePlan.objects.filter(pk=plan.pk).update(
            drafted_at=at(day(194), 10), approved_at=at(day(192), 10)
        )
        made["village_case"] = case.pk
    return made


# --- temporary guardianship ---------------------------------------------------------------------


def _emergencies(p: People, today: date) -> dict:
    def day(n: int) -> date:
        return today - timedelta(days=n)

    made = {}
    open_child = _pick("友谊十九社区", ("difficulty", "verified"), ("difficulty", "approved"))
    resolved_child = _pick(divisions.DIRECTOR2_VILLAGE, ("difficulty", "approved"))
    taken = Q(resolved_at__isnull=True)
    if resolved_child is not None and not resolved_child.emergencies.filter(taken).exists():
        emergency = emergency_services.emergency_open(
            by=p.bureau,
            child=resolved_child,
            situation="guardian_unable",
            taken_in_at=at(day(78), 21, 40),
            placement="relatives",
            placement_detail="姑姑家（昆河镇哈业胡同村），经评估适合临时抚养",
        )
        for n, hour, party, note in (
            (78, 22, "police", "派出所出警：母亲车祸住院，父亲在外务工联系不上，孩子独自在家"),
            (77, 9, "town", "昆河镇政府落实临时生活救助，村委会安排专人每日探望"),
            (64, 15, "family", "联系上父亲，父亲辞去外地工作返回照料"),
        ):
            _log(p.bureau, emergency, at(day(n), hour), party, note)
        emergency_services.emergency_resolve(
            by=p.bureau,
            emergency=emergency,
            outcome="returned",
            outcome_detail="父亲返回后经评估具备监护能力，送回父亲监护；儿童主任每月探访",
            resolved_at=at(day(62), 10),
        )
        made["resolved_emergency"] = emergency.pk
    if open_child is not None and not open_child.emergencies.filter(taken).exists():
        emergency = emergency_services.emergency_open(
            by=p.supervisor,
            child=open_child,
            situation="harmed",
            taken_in_at=at(day(12), 14, 20),
            placement="rescue",
            placement_detail=RESCUE_CENTRE,
        )
        for n, hour, party, note in (
            (12, 15, "police", "学校发现孩子身上多处伤痕后报警，派出所出警并委托伤情鉴定"),
            (9, 10, "procuratorate", "区检察院介入，同意支持起诉撤销父亲监护人资格"),
            (3, 16, "court", "区法院受理撤销监护人资格申请，并作出人身安全保护令"),
        ):
            _log(p.supervisor, emergency, at(day(n), hour), party, note)
        made["open_emergency"] = emergency.pk
    return made


def _log(by: User, emergency: EmergencyProtection, moment: datetime, party: str, note: str) -> None:
    entry = emergency_services.emergency_log(
        by=by, emergency=emergency, at=moment, party=party, note=note
    )
    # Recorded the same day, not when the demo was loaded.
    CoordinationEntry.objects.filter(pk=entry.pk).update(recorded_at=moment + timedelta(minutes=40))
