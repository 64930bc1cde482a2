"""The arithmetic of the evaluation: the shrunk score and the yearly proposals (no database)."""

from decimal import Decimal

from evaluation.conf import Thresholds
from evaluation.models import Outcome
from evaluation.rules import Candidate, classify, mean_of, reward_slots, shrink

T = Thresholds(
    prior_weight=5,
    remove_below=Decimal("3.00"),
    warn_below=Decimal("3.50"),
    min_ratings_to_remove=10,
    reward_share=Decimal("0.10"),
    reward_min_lectures=3,
)


def rated(pk: int, mean: float, n: int, *, lectures: int = 3, incidents: int = 0, status: str = "appointed"):
    """A candidate with ``n`` ratings averaging ``mean`` (the total is what three scores add up to)."""
    return Candidate(
        instructor_id=pk,
        code=f"T{pk:03d}",
        status=status,
        rating_count=n,
        rating_total=round(mean * 3 * n),
        lecture_count=lectures,
        incident_count=incidents,
    )


def by_id(results):
    return {r.instructor_id: r for r in results}


def test_shrink_pulls_few_ratings_toward_the_pool_mean():
    # one rating of 5 (total 15) in a pool averaging 4: (1·5 + 5·4) / 6 = 4.17
    assert shrink(total=15, count=1, pool_mean=Decimal("4.00"), prior_weight=5) == Decimal("4.17")
    # forty ratings of 5: (40·5 + 5·4) / 45 = 4.89
    assert shrink(total=600, count=40, pool_mean=Decimal("4.00"), prior_weight=5) == Decimal("4.89")
    assert shrink(total=0, count=0, pool_mean=Decimal("4.00"), prior_weight=5) is None


def test_mean_is_the_mean_of_the_three_scores_of_every_rating():
    assert mean_of(4 + 5 + 3 + 5 + 5 + 5, 2) == Decimal("4.50")
    assert mean_of(0, 0) is None


def test_removal_needs_enough_ratings_below_the_line():
    results = by_id(
        classify(
            [rated(1, 2.0, 12), rated(2, 2.0, 4), rated(3, 4.2, 30), rated(4, 4.0, 30)],
            pool_mean=Decimal("3.80"),
            t=T,
        )
    )

    assert results[1].proposed == Outcome.REMOVE  # (12·2 + 5·3.8)/17 = 2.53
    assert results[2].proposed == Outcome.WARN  # (4·2 + 19)/9 = 3.00 with 4 ratings: too few to remove
    assert (results[3].proposed, results[4].proposed) == (Outcome.KEEP, Outcome.KEEP)  # 4 rated: no reward slot


def test_warning_below_the_warning_line():
    results = by_id(classify([rated(1, 3.3, 20), rated(2, 4.5, 20)], pool_mean=Decimal("3.9"), t=T))

    assert results[1].shrunk_score == Decimal("3.42")
    assert results[1].proposed == Outcome.WARN


def test_reward_takes_the_top_share_with_enough_lectures_and_no_incident():
    candidates = [rated(pk, 3.9 + pk / 20, 20, lectures=5) for pk in range(1, 21)]  # 20 rated → 2 rewards
    candidates[-1] = rated(20, 4.95, 20, lectures=2)  # the best, but too few lectures
    candidates[-2] = rated(19, 4.9, 20, lectures=5, incidents=1)  # second best, a discipline incident
    results = classify(candidates, pool_mean=Decimal("4.1"), t=T)

    assert sorted(r.instructor_id for r in results if r.proposed == Outcome.REWARD) == [17, 18]
    assert reward_slots(20, T.reward_share) == 2
    assert (by_id(results)[19].proposed, by_id(results)[20].proposed) == (Outcome.KEEP, Outcome.KEEP)


def test_unrated_instructors_are_kept_without_rank():
    results = by_id(classify([rated(1, 0, 0), rated(2, 4.0, 5)], pool_mean=Decimal("4.0"), t=T))

    assert (results[1].proposed, results[1].rank, results[1].shrunk_score) == (Outcome.KEEP, None, None)
    assert results[2].rank == 1


def test_reserves_fill_the_seats_that_removals_free_best_intake_score_first():
    reserves = [
        Candidate(instructor_id=11, code="R1", status="reserve", reserve_score=Decimal("80")),
        Candidate(instructor_id=12, code="R2", status="reserve", reserve_score=Decimal("91")),
        Candidate(instructor_id=13, code="R3", status="reserve"),
    ]
    results = by_id(classify([rated(1, 1.5, 15), *reserves], pool_mean=Decimal("4.0"), t=T))

    expected = [Outcome.PROMOTE, Outcome.STAY_RESERVE, Outcome.STAY_RESERVE]
    assert [results[pk].proposed for pk in (12, 11, 13)] == expected


def test_no_removal_means_no_promotion():
    reserve = Candidate(instructor_id=11, code="R1", status="reserve")
    results = by_id(classify([rated(1, 4.0, 15), reserve], pool_mean=Decimal("4.0"), t=T))

    assert results[11].proposed == Outcome.STAY_RESERVE


def test_a_suspended_instructor_is_not_rewarded():
    results = by_id(classify([rated(1, 4.9, 40, status="suspended"), rated(2, 3.9, 10)], pool_mean=Decimal("4.0"), t=T))

    assert results[1].proposed == Outcome.KEEP
