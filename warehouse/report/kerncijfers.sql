-- The key-figures table as the edition published it, with the footnote marker its label carried.
with printed_labels as (
    select distinct series, label
    from observation_vintages
    where municipality = $municipality
        and edition = $edition
),

markers as (
    select printed_labels.series, min(notes.marker) as marker
    from printed_labels
    join notes
        on notes.municipality = $municipality
        and notes.edition = $edition
        and notes.marker is not null
        and ends_with(printed_labels.label, notes.marker)
    group by printed_labels.series
),

final as (
    select
        markers.marker,
        kerncijfers_by_edition.* exclude (municipality, edition)
    from kerncijfers_by_edition
    left join markers using (series)
    where kerncijfers_by_edition.municipality = $municipality
        and kerncijfers_by_edition.edition = $edition
)

select * from final
order by position
