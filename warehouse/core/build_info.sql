select
    kind,
    name,
    sha256
from staging.build_inputs
order by kind, name
