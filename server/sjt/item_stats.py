"""Item statistics of the bank, pooled over every campaign form that used the item.

Each campaign's form analysis is the stored reliability snapshot (recomputed only when
that campaign's data changed), so this costs one snapshot read per campaign.
"""

from __future__ import annotations

from assessments.sjt.bank import BankItemStats, FormItemStats, keys_to_avoid, pooled_item_stats
from server.hiring import ranking as ranking_service
from server.hiring import repository as campaigns_repo


async def bank_statistics() -> dict[int, BankItemStats]:
    """Per item id, the pooled analysis over all campaigns (items never used are absent)."""
    rows: list[FormItemStats] = []
    for campaign in await campaigns_repo.all_campaigns():
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
            )
    return pooled_item_stats(rows)


async def avoided_keys(item_keys: dict[int, str]) -> set[str]:
    """Keys of the items the form builder should take last (see assessments.sjt.bank)."""
    return keys_to_avoid(await bank_statistics(), item_keys)
