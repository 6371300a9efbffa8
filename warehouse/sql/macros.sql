-- Statistical helpers the marts share. Created (or replaced) by warehouse/marts.py before any mart is built.
-- z = 1.96 throughout: 95 % two-sided intervals.

-- Wilson score interval for k successes out of n (null when n = 0). Honest at small n and at 0 % / 100 %.
create or replace macro wilson_low(k, n) as
    case when n > 0 then
        ((k / n) + 1.9208 / n - 1.96 * sqrt((k / n) * (1 - k / n) / n + 0.9604 / (n * n))) / (1 + 3.8416 / n)
    end;

create or replace macro wilson_high(k, n) as
    case when n > 0 then
        ((k / n) + 1.9208 / n + 1.96 * sqrt((k / n) * (1 - k / n) / n + 0.9604 / (n * n))) / (1 + 3.8416 / n)
    end;

-- Variance of a net share p - d (NPS, net sentiment), where p and d are shares of the same n items: a difference of
-- two multinomial shares, (p + d - (p - d)^2) / n. Null when n = 0; never negative through rounding.
create or replace macro net_share_var(p, d, n) as
    case when n > 0 then greatest(p + d - pow(p - d, 2), 0) / n end;

-- Standard normal CDF through erf (Abramowitz & Stegun 7.1.26, absolute error < 1.5e-7); DuckDB has no erf.
create or replace macro molva_erf(x) as
    sign(x) * (1 - (((((1.061405429 * (1 / (1 + 0.3275911 * abs(x))) - 1.453152027) * (1 / (1 + 0.3275911 * abs(x)))
        + 1.421413741) * (1 / (1 + 0.3275911 * abs(x))) - 0.284496736) * (1 / (1 + 0.3275911 * abs(x)))
        + 0.254829592) * (1 / (1 + 0.3275911 * abs(x)))) * exp(-x * x));

create or replace macro normal_cdf(z) as 0.5 * (1 + molva_erf(z / sqrt(2)));

-- Two-sided p-value of a z statistic.
create or replace macro two_sided_p(z) as 2 * (1 - normal_cdf(abs(z)));

-- P(X >= k) for X ~ Poisson(lam): the upper tail used by the topic anomaly test (exact, summed in log space).
create or replace macro poisson_sf(k, lam) as
    case
        when k <= 0 then 1.0
        when lam <= 0 then 0.0
        else greatest(0.0, 1.0 - list_sum(list_transform(range(cast(k as bigint)),
            lambda i: exp(-lam + i * ln(lam) - lgamma(i + 1)))))
    end;

-- The site a URL points at: its host, lowercased, without "www." or a port (null when there is no host).
-- `platform` is the connector that parsed a page (trustpilot, selectors, structured …); this is the website.
create or replace macro site_host(u) as
    nullif(regexp_replace(lower(regexp_extract(u, '^[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#:@]+)', 1)), '^www[.]', ''), '');
