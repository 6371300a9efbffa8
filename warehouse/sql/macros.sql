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

-- Survey CX indices (docs/metrics.md): the one implementation, used by int_survey_responses, int_survey_csi_weights,
-- mart_survey_indices and mart_survey_topics_nps (tests/surveys/test_indices.py evaluates them on literal inputs).
-- Shares are fractions 0..1 and NPS -1..1; each is null when its n is 0 (nobody answered).

-- NPS group of a 0-10 answer: promoter (9-10), passive (7-8), detractor (0-6); null when not answered.
create or replace macro nps_group(score) as
    case when score is null then null when score >= 9 then 'promoter' when score >= 7 then 'passive'
        else 'detractor' end;

-- k of n as a fraction (CSAT = satisfied / answered, CD-SAT = bottom two / answered, share easy of CES …).
create or replace macro share_of(k, n) as case when n > 0 then k / n end;

-- NPS = share of promoters - share of detractors, with the standard error of that net share and a 95 % Wald
-- interval clipped to [-1, 1].
create or replace macro nps_value(n_promoters, n_detractors, n) as
    case when n > 0 then (n_promoters - n_detractors) / n end;

create or replace macro nps_se(n_promoters, n_detractors, n) as
    case when n > 0 then sqrt(net_share_var(n_promoters / n, n_detractors / n, n)) end;

create or replace macro nps_ci_low(n_promoters, n_detractors, n) as
    case when n > 0 then
        greatest(-1.0, nps_value(n_promoters, n_detractors, n) - 1.96 * nps_se(n_promoters, n_detractors, n))
    end;

create or replace macro nps_ci_high(n_promoters, n_detractors, n) as
    case when n > 0 then
        least(1.0, nps_value(n_promoters, n_detractors, n) + 1.96 * nps_se(n_promoters, n_detractors, n))
    end;

-- Two-sided p-value of an NPS change between independent samples, SE = sqrt(se_before^2 + se_after^2); null when
-- the SE is 0 (e.g. 100 then 100: no test).
create or replace macro nps_change_p_value(change, se_change) as
    case when se_change > 0 then two_sided_p(change / se_change) end;

-- NSAT = % top box - % bottom two boxes + 100, on 0..200.
create or replace macro nsat(n_top_box, n_bottom_two, n) as
    case when n > 0 then 100 * (n_top_box - n_bottom_two) / n + 100 end;

-- Aggregate: CSI 0..100 = 100 * sum(w * m) / sum(w) over the factors rated in a group (m = mean rating on 0..1), so
-- the weights are re-normalised over the factors present; null when they weigh nothing.
create or replace macro csi_of(weight, mean_norm) as 100 * sum(weight * mean_norm) / nullif(sum(weight), 0);

-- Aggregate: Pearson correlation of a factor rating with overall satisfaction over the pairs where both are answered;
-- null with fewer than 3 pairs or a constant variable (then the factor's correlation importance is 0).
create or replace macro importance_corr(rating, overall) as
    case when regr_count(overall, rating) >= 3 and regr_sxx(overall, rating) > 0 and regr_syy(overall, rating) > 0
        then corr(overall, rating) end;
