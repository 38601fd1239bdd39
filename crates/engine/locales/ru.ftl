# report.html на русском языке. Те же сообщения и переменные, что в en.ftl.

## Запись чисел: 12 345,68 (узкий неразрывный пробел между разрядами)
number-decimal-separator = { "," }
number-group-separator = { "\u202F" }

## Страница
language-name = русский
report-title-suffix = отчёт nedra
report-subtitle = Оценка перспективности на { $commodity } — { $method } · nedra { $nedra } · GDAL { $gdal }
synthetic-banner = СИНТЕТИЧЕСКИЕ ДАННЫЕ — в этом расчёте использованы демонстрационные данные, созданные nedra, а не реальная геология.
warnings-heading = Предупреждения
missing-value = –

## Методы
method-weights-of-evidence = метод весов признаков
method-fuzzy = нечёткая сеть логического вывода
method-bagging = { $kind } (PU-бэггинг: обучение на положительных и неразмеченных данных)
model-weights_of_evidence = метод весов признаков
model-logistic = логистическая регрессия
model-random_forest = случайный лес
model-gradient_boosting = градиентный бустинг
model-fuzzy = нечёткая сеть логического вывода
model-method-bagging = PU-бэггинг (Mordelet & Vert, 2014): каждая модель ансамбля обучается на всех месторождениях и собственной выборке фоновых ячеек; перспективность — среднее по ансамблю, неопределённость — стандартное отклонение по ансамблю
model-method-fuzzy = нечёткие функции принадлежности, объединённые сетью логического вывода (Bonham-Carter, 1994, гл. 9); неопределённость — разность наибольшей и наименьшей принадлежности в ячейке (расхождение признаков)

## Сводка
summary-heading = Сводка
summary-quantity = показатель
summary-value = значение
summary-cv-roc-auc = ROC AUC при пространственной кросс-валидации
summary-cv-roc-auc-note = (отложенные блоки, среднее ± ст. откл. по { $folds } { $folds ->
        [one] подвыборке
       *[other] подвыборкам
    })
summary-cv-prediction-rate = AUC кривой прогноза при пространственной кросс-валидации (среднее по подвыборкам)
summary-study-area = Площадь исследования
summary-study-area-value = { $area } км² ({ $cells } { $cells ->
        [one] ячейка
        [few] ячейки
        [many] ячеек
       *[other] ячейки
    } размером { $cell_size } м)
summary-deposits = Месторождения и рудопроявления для обучения
summary-prior = Априорная вероятность (месторождений на единичную ячейку)
summary-success-rate-auc = AUC кривой успешности ({ $fitted }) [95 % бутстреп-интервал]
summary-roc-auc = ROC AUC ({ $fitted }) [95 % бутстреп-интервал]
fitted-cross-validated = на обучающих данных: оценка по тем же месторождениям, на которых обучена модель, завышена
fitted-not-cross-validated = на обучающих данных: по всем месторождениям, без кросс-валидации
summary-ci-ratio = Условная независимость: n/T (Бонэм-Картер; значение < { $limit } — предупреждение)
summary-ci-test = Тест Агтерберга–Ченга: вероятность нарушения условной независимости модели
summary-targets = Перспективные участки
summary-targets-value = { $count } ({ $rule }, порог { $threshold })
target-rule-top-percent = верхние { $percent } % площади исследования
target-rule-pa = пересечение на графике «прогноз–площадь»
target-rule-threshold = значение не ниже { $value }

## Карты
maps-heading = Карты
maps-note = Белые точки — месторождения и рудопроявления обучающей выборки. Цифры — ранги перспективных участков. Цветовая шкала — viridis (перцептивно равномерная).
map-posterior = Апостериорная вероятность (метод весов признаков)
map-prospectivity-ensemble = Перспективность (средняя вероятность по ансамблю)
map-prospectivity-fuzzy = Перспективность (нечёткая сеть логического вывода)
map-uncertainty = Неопределённость: стандартное отклонение (апостериорной вероятности или по ансамблю моделей)
legend-log-scale = логарифмическая шкала
legend-standard-deviation = стандартное отклонение
map-target = Участок { $rank }

## Оценка качества
validation-heading = Оценка качества модели
chart-success-rate = Кривая успешности
chart-success-rate-x = доля площади исследования (по убыванию апостериорной вероятности)
chart-success-rate-y = доля месторождений
curve-success-rate = кривая успешности
curve-random = случайная модель
chart-pa = График «прогноз–площадь» (P-A)
chart-pa-x = log10 порога апостериорной вероятности
chart-pa-y = доля
curve-prediction-rate = доля предсказанных месторождений
curve-occupied-area = 1 − доля занятой площади
captures-share = доля месторождений
captures-area = необходимая доля площади
captures-interval = 95 % интервал
captures-threshold = порог апостериорной вероятности
pa-crossing = Пересечение кривых P-A: порог { $threshold }, доля предсказанных месторождений { $rate }, доля занятой площади { $area }, нормированная плотность { $density }, вес { $weight }.

## Модель
model-heading = Модель: { $kind } (ансамбль из { $members } { $members ->
        [one] модели
       *[other] моделей
    })
model-heading-single = Модель: { $kind }
model-cv = Пространственная кросс-валидация — { $scheme }: средний ROC AUC { $roc }, средний AUC кривой прогноза { $rate }. Базовая модель весов признаков на тех же подвыборках: средний ROC AUC { $baseline_cv } (оценка на обучающих данных, завышенная: { $baseline }).
cv-scheme = квадратные блоки со стороной { $block_km } км, распределённые по { $folds } { $folds ->
        [one] подвыборке
       *[other] подвыборкам
    } (с фиксированным зерном генератора)
fold = подвыборка
fold-test-deposits = отложенные месторождения
fold-test-background = отложенные фоновые ячейки
fold-test-cells = оценённые отложенные ячейки
column-roc-auc = ROC AUC
column-prediction-rate-auc = AUC кривой прогноза
importance-heading = Значимость слоёв — { $method }:
importance-method = снижение ROC AUC на отложенных данных при перемешивании слоя (5 повторов), среднее по пространственным подвыборкам
importance-layer = слой
importance-mean-drop = среднее снижение AUC
importance-sd = ст. откл. по подвыборкам


## Сравнение моделей на одних подвыборках
compare-heading = Модели на одних и тех же пространственных подвыборках
compare-intro = Каждая модель оценена во всех отложенных ячейках одних и тех же подвыборок ({ $scheme }). Последний столбец — разность лучшей модели и каждой другой по подвыборкам; выбор лучшей из этих моделей на тех же подвыборках сам является отбором, поэтому её показатель немного завышен. Столбец «на обучающих данных» — оценка каждой модели на её собственных обучающих месторождениях.
compare-model = модель
compare-run = папка расчёта
compare-mean = ROC AUC на отложенных данных, среднее ± ст. откл. по подвыборкам
compare-pooled = ROC AUC на отложенных данных, объединённый
compare-fitted = ROC AUC на обучающих данных (завышенный)
compare-paired = лучшая минус эта модель, по подвыборкам
compare-best = лучшая
compare-baseline = { $model } (базовая модель того расчёта)
compare-wins = лучшая выше в { $wins } из { $folds } { $folds ->
        [one] подвыборки
       *[other] подвыборок
    }
## Перспективные участки
targets-heading = Перспективные участки
targets-none = Ни один участок не удовлетворяет правилу.
targets-column-rank = ранг
targets-column-area_km2 = площадь, км²
targets-column-centroid_x = центр, x
targets-column-centroid_y = центр, y
targets-column-mean_score = средняя оценка
targets-column-peak_score = максимальная оценка
targets-column-mean_uncertainty = средняя неопределённость
targets-column-deposits = месторождения
targets-column-top_evidence = ведущие признаки

## Оценка ресурсов
assessment-heading = Прогнозные ресурсы (вероятностная оценка)
assessment-convention = USGS: Fp — количество, превышаемое с вероятностью p (F95 — низкая оценка, F5 — высокая)
assessment-trials = Испытаний Монте-Карло: { $trials }, зерно генератора { $seed }.
assessment-model = Модель «тоннаж–содержание»:
assessment-warning = Внимание: ожидаемое по апостериорной вероятности число месторождений — { $expected }, известно — { $known } (отношение { $ratio }); число невыявленных месторождений, выведенное из апостериорной вероятности, завышено примерно в { $inflation } раза.
assessment-total = итого
assessment-mean = среднее
assessment-analytic-mean = аналитическое среднее
assessment-tract = участок
assessment-area = площадь, км²
assessment-undiscovered-mean = невыявленные месторождения: среднее
assessment-quantity-mean = { $quantity }: среднее

## Веса признаков
weights-heading = Веса признаков
weights-layer = тип классификации: { $pattern }; { $derivation }; источник
pattern-ascending = по возрастанию
pattern-descending = по убыванию
pattern-categorical = категориальный
pattern-binary = бинарный
weights-more-rows = … ещё { $count } { $count ->
        [one] строка
        [few] строки
        [many] строк
       *[other] строки
    } в
weights-column-CLASS = класс
weights-column-CLASS_AREA = площадь класса, км²
weights-column-NO_POINTS = число точек
weights-column-WPLUS = W+
weights-column-S_WPLUS = s(W+)
weights-column-WMINUS = W−
weights-column-CONTRAST = контраст C
weights-column-STUDC = стьюдентизированный контраст
weights-column-GEN_CLASS = обобщённый класс
weights-column-WEIGHT = вес
weights-column-W_STD = s(веса)

## Происхождение данных
provenance-heading = Происхождение данных
provenance-role = роль
provenance-file = файл
grid-cells = Сетка: { $width } × { $height } { $height ->
        [one] ячейка
        [few] ячейки
        [many] ячеек
       *[other] ячейки
    }, преобразование
grid-timings = Время (с):
grid-manifest = Полный манифест:

## Предупреждения (warning-<код> с величинами, записанными в run.json)
warning-conditional_independence = условная независимость нарушена: n/T = { NUMBER($ratio, minimumFractionDigits: 3) } (наблюдаемое число месторождений — { $observed }, предсказанное — { NUMBER($predicted, minimumFractionDigits: 1) }; значение ниже { $limit } вызывает сомнения), вероятность зависимости по тесту Агтерберга–Ченга — { NUMBER($probability, minimumFractionDigits: 3) }. Апостериорная вероятность завышена: исключите или объедините коррелированные слои либо используйте модель, обучаемую на данных
warning-layer_not_significant = слой «{ $layer }»: ни одна граница классов не проходит порог стьюдентизированного контраста, поэтому вес всех классов равен 0 и слой ничего не добавляет. Понизьте порог, измените классы или исключите слой
warning-large_class_without_deposits = слой «{ $layer }»: класс { $class } занимает { $area } км² ({ $percent } % площади исследования) и не содержит ни одного месторождения; его вес { NUMBER($weight, minimumFractionDigits: 3) } ± { NUMBER($sd, minimumFractionDigits: 3) } держится на краевой поправке в 0,99 месторождения, а не на данных
warning-duplicate_deposits = месторождений, указанных дважды (совпадают координаты): { $exact }; ячеек с несколькими месторождениями: { $stacked }; { $rule ->
        [keep] учитывается каждая точка (duplicates = "keep"): месторождение, указанное дважды, весит вдвое. Удалите дубликаты или задайте duplicates = "one-per-cell"
        [one-per-cell] не учтено точек: { $merged } (duplicates = "one-per-cell")
       *[error] duplicates = "error"
    }
warning-unseen_classes = слой «{ $layer }»: { $cells } { $cells ->
        [one] ячейке
       *[other] ячейкам
    } классов [{ $classes }], для которых в таблице { $table } нет строки, присвоен вес 0 (как отсутствующим данным). Используйте таблицу, рассчитанную по этому растру, или переклассифицируйте их
warning-no_cross_validation = { $model ->
        [fuzzy] нечёткая сеть не прошла
        [logistic] логистическая регрессия не прошла
        [random_forest] случайный лес не прошёл
        [gradient_boosting] градиентный бустинг не прошёл
       *[other] метод весов признаков не прошёл
    } кросс-валидацию: площадь исследования покрывает лишь { $blocks } { $blocks ->
        [one] блок
        [few] блока
        [many] блоков
       *[other] блока
    } со стороной cv_block_km = { $block_km } км — меньше, чем cv_folds = { $folds }. Его показатели получены на обучающих данных; для оценки на отложенных данных уменьшите cv_block_km в [model] (или число cv_folds)
warning-small_fold = подвыборка { $fold } пространственной кросс-валидации содержит { $held_out } { $held_out ->
        [one] отложенное месторождение
        [few] отложенных месторождения
        [many] отложенных месторождений
       *[other] отложенного месторождения
    }: её AUC — шум. Увеличьте блоки (cv_block_km) или уменьшите число подвыборок
warning-overfitting = ROC AUC на обучающих данных ({ NUMBER($fitted, minimumFractionDigits: 3) }) на { NUMBER($gap, minimumFractionDigits: 3) } выше ROC AUC пространственной кросс-валидации ({ NUMBER($cv, minimumFractionDigits: 3) }): модель запомнила обучающие месторождения (переобучение). Приводите показатель кросс-валидации; более простая модель (меньше классов или слоёв, меньше деревьев или меньшая их глубина, более сильная регуляризация) может обобщать лучше
warning-non_finite_cells = { $file }: { $origin ->
        [computed] расчёт дал ячеек со значением NaN или ±Inf: { $cells }; они записаны как NoData
       *[input] ячеек со значением NaN или ±Inf: { $cells }; они приняты за NoData
    }
