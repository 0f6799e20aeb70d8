-- Each channel's share of all contacts in the edition's latest year with shares, in whole
-- percents (as printed), largest first, each channel named as a sentence names it (with its article).
-- The shares cover the channels the edition delivers (channel_mix_by_edition).
with edition_mix as (
    select * from channel_mix_by_edition
    where
        municipality = $municipality
        and edition = $edition
        and share_pct is not null
),

latest as (
    select max(year) as year from edition_mix
),

names as (
    select
        channel,
        any_value(channel_phrase_nl) as phrase_nl
    from series
    group by channel
),

final as (
    select
        edition_mix.year,
        edition_mix.channel,
        names.phrase_nl,
        edition_mix.contacts,
        dutch_decimal(round(edition_mix.share_pct, 0), 0) as share_pct_text,
        edition_mix.share_pct
    from edition_mix
    inner join latest using (year)
    inner join names using (channel)
)

select * exclude (share_pct) from final
order by share_pct desc, channel asc
