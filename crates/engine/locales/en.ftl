# report.html in English. Every language has the same messages with the same variables
# (checked by the tests of crates/engine/src/locale.rs). Numbers given as variables are
# written with the separators below; figures already formatted arrive as text.

## How numbers are written: 12,345.68
number-decimal-separator = { "." }
number-group-separator = { "," }

## Page
language-name = English
report-title-suffix = nedra report
report-subtitle = Prospectivity for { $commodity } by { $method } · nedra { $nedra } · GDAL { $gdal }
synthetic-banner = SYNTHETIC DATA — this run uses nedra's generated demonstration data, not real geology.
warnings-heading = Warnings
missing-value = –

## Methods
method-weights-of-evidence = weights of evidence
method-fuzzy = a fuzzy inference network
method-bagging = { $kind } (positive-unlabelled bagging)
model-weights_of_evidence = weights of evidence
model-logistic = logistic regression
model-random_forest = random forest
model-gradient_boosting = gradient boosting
model-fuzzy = fuzzy inference network
model-method-bagging = positive-unlabelled bagging (Mordelet & Vert 2014): each member trains on all deposits and its own background draw; prospectivity = ensemble mean, uncertainty = ensemble standard deviation
model-method-fuzzy = fuzzy memberships combined by the inference network (Bonham-Carter 1994, ch. 9); uncertainty = largest − smallest membership at the cell (disagreement of the evidence)

## Summary
summary-heading = Summary
summary-quantity = quantity
summary-value = value
summary-cv-roc-auc = Spatial-CV ROC AUC
summary-cv-roc-auc-note = (held-out blocks, mean ± sd over { $folds ->
        [one] { $folds } fold
       *[other] { $folds } folds
    })
summary-cv-prediction-rate = Spatial-CV prediction-rate AUC (mean over folds)
summary-study-area = Study area
summary-study-area-value = { $area } km² ({ $cells ->
        [one] { $cells } cell
       *[other] { $cells } cells
    } of { $cell_size } m)
summary-deposits = Training deposits
summary-prior = Prior probability (deposits per unit cell)
summary-success-rate-auc = Success-rate AUC ({ $fitted }) [95 % bootstrap interval]
summary-roc-auc = ROC AUC ({ $fitted }) [95 % bootstrap interval]
fitted-cross-validated = fitted: scored on its own training deposits, optimistic
fitted-not-cross-validated = fitted on all deposits, not cross-validated
summary-ci-ratio = Conditional independence: n/T (Bonham-Carter; < { $limit } is a warning)
summary-ci-test = Agterberg–Cheng test: P(model not conditionally independent)
summary-targets = Targets
summary-targets-value = { $count } ({ $rule }, threshold { $threshold })
target-rule-top-percent = top { $percent } % of the study area
target-rule-pa = prediction–area crossing
target-rule-threshold = score at or above { $value }

## Maps
maps-heading = Maps
maps-note = White dots: training deposits. Numbers: target ranks. Colour map: viridis (perceptually uniform).
map-posterior = Posterior probability (weights of evidence)
map-prospectivity-ensemble = Prospectivity (ensemble mean probability)
map-prospectivity-fuzzy = Prospectivity (fuzzy inference network)
map-uncertainty = Uncertainty: standard deviation (of the posterior, or across the model ensemble)
legend-log-scale = log scale
legend-standard-deviation = standard deviation
map-target = Target { $rank }

## Validation
validation-heading = Validation
chart-success-rate = Success-rate curve
chart-success-rate-x = fraction of study area (by decreasing posterior)
chart-success-rate-y = fraction of deposits
curve-success-rate = success rate
curve-random = random
chart-pa = Prediction–area plot
chart-pa-x = log10 of the posterior probability threshold
chart-pa-y = share
curve-prediction-rate = prediction rate (deposits)
curve-occupied-area = 1 − occupied area
captures-share = share of deposits
captures-area = fraction of area needed
captures-interval = 95 % interval
captures-threshold = posterior threshold
pa-crossing = P-A crossing: threshold { $threshold }, prediction rate { $rate }, occupied area { $area }, normalised density { $density }, weight { $weight }.

## Model
model-heading = Model: { $kind } ({ $members ->
        [one] { $members } member
       *[other] { $members } members
    })
model-heading-single = Model: { $kind }
model-cv = Spatial cross-validation — { $scheme }: mean ROC AUC { $roc }, mean prediction-rate AUC { $rate }. Weights-of-evidence baseline on the same folds: mean ROC AUC { $baseline_cv } (fitted on all deposits, optimistic: { $baseline }).
cv-scheme = square blocks of { $block_km } km dealt to { $folds ->
        [one] { $folds } fold
       *[other] { $folds } folds
    } (seeded)
fold = fold
fold-test-deposits = held-out deposits
fold-test-background = held-out background
fold-test-cells = held-out cells scored
column-roc-auc = ROC AUC
column-prediction-rate-auc = prediction-rate AUC
importance-heading = Layer importance — { $method }:
importance-method = drop in held-out ROC AUC when the layer is shuffled (5 repeats), mean over spatial folds
importance-layer = layer
importance-mean-drop = mean AUC drop
importance-sd = sd over folds


## Models compared on identical folds
compare-heading = Models on identical spatial folds
compare-intro = Every model was scored on every held-out cell of the same folds ({ $scheme }). The last column is the best model minus each other model, fold by fold; picking the best of these models on the same folds is itself a selection, so its figure is slightly optimistic. The fitted column is each model scored on its own training deposits.
compare-model = model
compare-run = run folder
compare-mean = held-out ROC AUC, mean ± sd over folds
compare-pooled = held-out ROC AUC, pooled
compare-fitted = fitted ROC AUC (optimistic)
compare-paired = best minus this model, per fold
compare-best = best
compare-baseline = { $model } (baseline of that run)
compare-wins = best higher in { $wins } of { $folds } { $folds ->
        [one] fold
       *[other] folds
    }
## Targets
targets-heading = Targets
targets-none = No target passed the rule.
targets-column-rank = rank
targets-column-area_km2 = area, km²
targets-column-centroid_x = centroid x
targets-column-centroid_y = centroid y
targets-column-mean_score = mean score
targets-column-peak_score = peak score
targets-column-mean_uncertainty = mean uncertainty
targets-column-deposits = deposits
targets-column-top_evidence = strongest evidence

## Assessment
assessment-heading = Undiscovered resources (probabilistic assessment)
assessment-convention = USGS: Fp is the amount exceeded with probability p (F95 low, F5 high)
assessment-trials = Trials: { $trials }, seed { $seed }.
assessment-model = Grade–tonnage model:
assessment-warning = Warning: the posterior predicts { $expected } deposits where { $known } are known (ratio { $ratio }); numbers of undiscovered deposits taken from the posterior are inflated by about { $inflation }×.
assessment-total = total
assessment-mean = mean
assessment-analytic-mean = analytic mean
assessment-tract = tract
assessment-area = area km²
assessment-undiscovered-mean = undiscovered deposits: mean
assessment-quantity-mean = { $quantity } mean

## Weights of evidence
weights-heading = Weights of evidence
weights-layer = { $pattern } pattern; { $derivation }; source
pattern-ascending = ascending
pattern-descending = descending
pattern-categorical = categorical
pattern-binary = binary
weights-more-rows = … { $count ->
        [one] { $count } more row
       *[other] { $count } more rows
    } in
weights-column-CLASS = CLASS
weights-column-CLASS_AREA = CLASS_AREA
weights-column-NO_POINTS = NO_POINTS
weights-column-WPLUS = WPLUS
weights-column-S_WPLUS = S_WPLUS
weights-column-WMINUS = WMINUS
weights-column-CONTRAST = CONTRAST
weights-column-STUDC = STUDC
weights-column-GEN_CLASS = GEN_CLASS
weights-column-WEIGHT = WEIGHT
weights-column-W_STD = W_STD

## Provenance
provenance-heading = Provenance
provenance-role = role
provenance-file = file
grid-cells = Grid: { $width } × { $height } cells, transform
grid-timings = Timings (s):
grid-manifest = Full manifest:

## Warnings (crates/engine/src/warnings.rs: `warning-<code>` with the figures run.json records)
warning-conditional_independence = conditional independence fails: n/T = { NUMBER($ratio, minimumFractionDigits: 3) } (observed { $observed } deposits, predicted { NUMBER($predicted, minimumFractionDigits: 1) }; below { $limit } is doubtful), Agterberg–Cheng probability of dependence { NUMBER($probability, minimumFractionDigits: 3) }. The posterior probability is inflated; drop or merge correlated layers, or use a data-driven model
warning-layer_not_significant = layer "{ $layer }": no cut-off passes the studentised-contrast threshold, so every class has weight 0 and the layer adds nothing. Lower the threshold, change the classes, or leave the layer out
warning-large_class_without_deposits = layer "{ $layer }": class { $class } covers { $area } km² ({ $percent } % of the study area) without a single deposit; its weight { NUMBER($weight, minimumFractionDigits: 3) } ± { NUMBER($sd, minimumFractionDigits: 3) } rests on the 0.99-deposit edge patch, not on data
warning-duplicate_deposits = { $exact ->
        [one] { $exact } deposit is
       *[other] { $exact } deposits are
    } listed twice (same coordinates) and { $stacked ->
        [one] { $stacked } cell
       *[other] { $stacked } cells
    } holding several deposits; { $rule ->
        [keep] each point is counted (duplicates = "keep"): a deposit listed twice weighs twice. Remove duplicates, or set duplicates = "one-per-cell"
        [one-per-cell] { $merged ->
            [one] { $merged } point is
           *[other] { $merged } points are
        } not counted (duplicates = "one-per-cell")
       *[error] duplicates = "error"
    }
warning-unseen_classes = layer "{ $layer }": { $cells ->
        [one] { $cells } cell
       *[other] { $cells } cells
    } of classes [{ $classes }] that have no row in { $table } were given weight 0 (as missing evidence). Use the table computed from this raster, or reclass them
warning-no_cross_validation = { $model ->
        [fuzzy] the fuzzy network
        [logistic] logistic regression
        [random_forest] the random forest
        [gradient_boosting] gradient boosting
       *[other] weights of evidence
    } is not cross-validated: the study area covers { $blocks ->
        [one] { $blocks } block
       *[other] { $blocks } blocks
    } of cv_block_km = { $block_km } km, fewer than cv_folds = { $folds }. Its figures are fitted ones; set a smaller [model] cv_block_km (or fewer cv_folds) for a held-out figure
warning-small_fold = spatial CV fold { $fold } holds { $held_out ->
        [one] { $held_out } held-out deposit
       *[other] { $held_out } held-out deposits
    }: its AUC is noise. Use larger blocks (cv_block_km) or fewer folds
warning-overfitting = the fitted ROC AUC { NUMBER($fitted, minimumFractionDigits: 3) } is { NUMBER($gap, minimumFractionDigits: 3) } above the spatial-CV ROC AUC { NUMBER($cv, minimumFractionDigits: 3) }: the model learnt its training deposits. Quote the cross-validated figure; a simpler model (fewer classes or layers; fewer or shallower trees; a stronger penalty) may generalise better
warning-non_finite_cells = { $file }: { $origin ->
        [computed] the computation gave { $cells } cells NaN or ±Inf; they were written as NoData
       *[input] { $cells } cells held NaN or ±Inf; they were taken as NoData
    }
