"""Item statistics of the bank, pooled over every campaign form that used the item.

Each campaign's form analysis is the stored reliability snapshot (recomputed only when
that campaign's data changed), so this costs one snapshot read per campaign read: every
campaign for the whole bank, only those using them for given items.
"""

from __future__ import annotations

from collections.abc import Collection

from assessments.sjt.bank import BankItemStats, FormItemStats, keys_to_avoid, pooled_item_stats
from server.hiring import ranking as ranking_service
from server.hiring import repository as campaigns_repo


async def bank_statistics(item_ids: Collection[int] | None = None) -> dict[int, BankItemStats]:
    """Per item id, the pooled analysis over all campaigns (items never used are absent).

    With ``item_ids``, those items only, from the campaigns whose forms hold them: an item's
    figures pool only the forms it is on, so they are the same either way, and a page
    showing one item does not read every campaign's analysis.
    """
    if item_ids is None:
        campaigns = await campaigns_repo.all_campaigns()
    else:
        campaigns = await campaigns_repo.campaigns_with_items(item_ids)
    wanted = None if item_ids is None else set(item_ids)
    rows: list[FormItemStats] = []
    for campaign in campaigns:
        for form in await ranking_service.reliability(campaign):
            rows.extend(
                FormItemStats(
                    item_id=it.item_id,
                    n=form.n,
                    mean=it.mean,
                    sd=it.sd,
                    r_drop=it.r_drop,
                    flags=tuple(it.flags),
                )
                for it in form.items
                if wanted is None or it.item_id in wanted
            )
    return pooled_item_stats(rows)


async def avoided_keys(item_keys: dict[int, str]) -> set[str]:
    """Keys of the items the form builder should take last (see assessments.sjt.bank)."""
    return keys_to_avoid(await bank_statistics(), item_keys)
