"""The automatic assignment plan (a pure function) checked on random inputs with hypothesis.

Each example is a small call: applications and reviewers with expertise tags, pairs excluded by
a conflict or a declined assignment, assignments that already exist, and a number of reviewers
per application. The expected counts are computed here independently of the planner.
"""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from accelerator.reviews.assignment import Plan, plan_assignments

TAGS = ("area:oncology", "area:ophthalmology", "class:gene_therapy", "topic:cmc", "topic:gmp")
PLANS = settings(max_examples=150, deadline=None, database=None)


@st.composite
def calls(draw, *, with_exclusions=True, with_existing=True):
    """Keyword arguments for plan_assignments."""
    ids = st.integers(min_value=1, max_value=60)
    application_ids = draw(st.lists(ids, max_size=8, unique=True))
    reviewer_ids = draw(st.lists(ids, max_size=8, unique=True))
    tags = st.frozensets(st.sampled_from(TAGS), max_size=3)
    pairs = [(a, r) for a in application_ids for r in reviewer_ids]
    subsets = st.lists(st.sampled_from(pairs), unique=True) if pairs else st.just([])
    return {
        "applications": {a: set(draw(tags)) for a in application_ids},
        "reviewers": {r: set(draw(tags)) for r in reviewer_ids},
        "existing": draw(subsets) if with_existing else [],
        "excluded": draw(subsets) if with_exclusions else [],
        "per_application": draw(st.integers(min_value=1, max_value=4)),
    }


def expected_shortfall(call) -> dict[int, int]:
    """For each application lacking reviewers: how many are missing after the plan."""
    short = {}
    for application_id in call["applications"]:
        kept = {r for a, r in call["existing"] if a == application_id}
        available = {
            reviewer_id
            for reviewer_id in call["reviewers"]
            if reviewer_id not in kept and (application_id, reviewer_id) not in call["excluded"]
        }
        need = call["per_application"] - len(kept)
        if need > len(available):
            short[application_id] = need - len(available)
    return short


def reviewers_per_application(call, plan: Plan) -> Counter:
    return Counter(a for a, _r in [*call["existing"], *plan.new_pairs])


@PLANS
@given(calls())
def test_plan_never_pairs_an_excluded_reviewer(call):
    plan = plan_assignments(**call)

    assert set(plan.new_pairs) & set(call["excluded"]) == set()


@PLANS
@given(calls())
def test_plan_adds_no_duplicate_and_never_replans_an_existing_pair(call):
    plan = plan_assignments(**call)

    assert len(plan.new_pairs) == len(set(plan.new_pairs))
    assert set(plan.new_pairs) & set(call["existing"]) == set()
    assert {a for a, _r in plan.new_pairs} <= set(call["applications"])
    assert {r for _a, r in plan.new_pairs} <= set(call["reviewers"])


@PLANS
@given(calls())
def test_plan_gives_each_application_its_number_of_reviewers_or_lists_it_short(call):
    plan = plan_assignments(**call)

    counts = reviewers_per_application(call, plan)
    short = expected_shortfall(call)
    assert plan.short == short
    for application_id in call["applications"]:
        kept = sum(1 for a, _r in call["existing"] if a == application_id)
        wanted = max(kept, call["per_application"])
        assert counts[application_id] == wanted - short.get(application_id, 0)


@PLANS
@given(calls(with_exclusions=False, with_existing=False))
def test_plan_without_exclusions_or_existing_balances_loads_within_one(call):
    plan = plan_assignments(**call)

    load = Counter(r for _a, r in plan.new_pairs)
    loads = [load[reviewer_id] for reviewer_id in call["reviewers"]]
    assert max(loads, default=0) - min(loads, default=0) <= 1
    if len(call["reviewers"]) >= call["per_application"]:
        assert plan.short == {}
        assert len(plan.new_pairs) == len(call["applications"]) * call["per_application"]


@PLANS
@given(calls(), st.randoms(use_true_random=False))
def test_plan_is_the_same_for_the_same_input_in_any_order(call, random):
    def shuffled(items):
        items = list(items)
        random.shuffle(items)
        return items

    reordered = {
        "applications": dict(shuffled(call["applications"].items())),
        "reviewers": dict(shuffled(call["reviewers"].items())),
        "existing": shuffled(call["existing"]),
        "excluded": shuffled(call["excluded"]),
        "per_application": call["per_application"],
    }

    first = plan_assignments(**call)

    assert plan_assignments(**call) == first
    assert plan_assignments(**reordered) == first


def test_plan_prefers_matching_expertise_when_loads_tie():
    plan = plan_assignments(
        applications={1: {"area:oncology", "class:gene_therapy"}, 2: {"topic:gmp"}},
        reviewers={10: {"topic:gmp"}, 20: {"area:oncology"}, 30: set()},
        existing=[],
        excluded=[],
        per_application=1,
    )

    # Application 1 goes first (same number of candidates, lower id): of the reviewers with no
    # load, 20 shares a tag; then 10 (load 0, matching) beats 30 (load 0, no match) for 2.
    assert plan == Plan(new_pairs=[(1, 20), (2, 10)], short={})


def test_plan_prefers_the_lower_load_over_matching_expertise():
    plan = plan_assignments(
        applications={1: {"topic:gmp"}, 2: {"topic:gmp"}},
        reviewers={10: {"topic:gmp"}, 20: set()},
        existing=[],
        excluded=[],
        per_application=1,
    )

    assert plan == Plan(new_pairs=[(1, 10), (2, 20)], short={})


def test_plan_serves_the_application_with_fewest_candidates_first():
    # Reviewer 10 is the only one allowed for application 2; had application 1 (lower id) gone
    # first it would have taken 10 (lower id, same load) and left 2 with a heavier reviewer.
    plan = plan_assignments(
        applications={1: set(), 2: set()},
        reviewers={10: set(), 20: set()},
        existing=[],
        excluded=[(2, 20)],
        per_application=1,
    )

    assert plan == Plan(new_pairs=[(2, 10), (1, 20)], short={})


def test_plan_counts_existing_assignments_and_lists_the_shortfall():
    plan = plan_assignments(
        applications={1: set(), 2: set()},
        reviewers={10: set(), 20: set(), 30: set()},
        existing=[(1, 10)],
        excluded=[(2, 10), (2, 20)],
        per_application=3,
    )

    assert plan == Plan(new_pairs=[(2, 30), (1, 20), (1, 30)], short={2: 2})
