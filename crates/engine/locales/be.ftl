# report.html па-беларуску. Тыя ж паведамленні і зменныя, што ў en.ftl.

## Запіс лікаў: 12 345,68 (вузкі неразрыўны прабел паміж разрадамі)
number-decimal-separator = { "," }
number-group-separator = { "\u202F" }

## Старонка
language-name = беларуская
report-title-suffix = справаздача nedra
report-subtitle = Ацэнка перспектыўнасці на { $commodity } — { $method } · nedra { $nedra } · GDAL { $gdal }
synthetic-banner = СІНТЭТЫЧНЫЯ ДАНЫЯ — у гэтым разліку выкарыстаны дэманстрацыйныя даныя, створаныя nedra, а не рэальная геалогія.
warnings-heading = Папярэджанні
missing-value = –

## Метады
method-weights-of-evidence = метад вагаў прыкмет
method-fuzzy = невыразная сетка лагічнага вываду
method-bagging = { $kind } (PU-бэгінг: навучанне на станоўчых і неразмечаных даных)
model-weights_of_evidence = метад вагаў прыкмет
model-logistic = лагістычная рэгрэсія
model-random_forest = выпадковы лес
model-gradient_boosting = градыентны бустынг
model-fuzzy = невыразная сетка лагічнага вываду
model-method-bagging = PU-бэгінг (Mordelet & Vert, 2014): кожная мадэль ансамбля навучаецца на ўсіх радовішчах і ўласнай выбарцы фонавых ячэек; перспектыўнасць — сярэдняе па ансамблі, нявызначанасць — стандартнае адхіленне па ансамблі
model-method-fuzzy = невыразныя функцыі прыналежнасці, аб'яднаныя сеткай лагічнага вываду (Bonham-Carter, 1994, гл. 9); нявызначанасць — розніца найбольшай і найменшай прыналежнасці ў ячэйцы (разыходжанне прыкмет)

## Зводка
summary-heading = Зводка
summary-quantity = паказчык
summary-value = значэнне
summary-cv-roc-auc = ROC AUC пры прасторавай крос-валідацыі
summary-cv-roc-auc-note = (адкладзеныя блокі, сярэдняе ± ст. адхіл. па { $folds } { $folds ->
        [one] падвыбарцы
       *[other] падвыбарках
    })
summary-cv-prediction-rate = AUC крывой прагнозу пры прасторавай крос-валідацыі (сярэдняе па падвыбарках)
summary-study-area = Плошча даследавання
summary-study-area-value = { $area } км² ({ $cells } { $cells ->
        [one] ячэйка
        [few] ячэйкі
        [many] ячэек
       *[other] ячэйкі
    } памерам { $cell_size } м)
summary-deposits = Радовішчы і рудапраяўленні для навучання
summary-prior = Апрыёрная верагоднасць (радовішчаў на адзінкавую ячэйку)
summary-success-rate-auc = AUC крывой паспяховасці ({ $fitted }) [95 % бутстрэп-інтэрвал]
summary-roc-auc = ROC AUC ({ $fitted }) [95 % бутстрэп-інтэрвал]
fitted-cross-validated = на навучальных даных: ацэнка па тых жа радовішчах, на якіх навучана мадэль, завышаная
fitted-not-cross-validated = на навучальных даных: па ўсіх радовішчах, без крос-валідацыі
summary-ci-ratio = Умоўная незалежнасць: n/T (Бонэм-Картэр; значэнне < { $limit } — папярэджанне)
summary-ci-test = Тэст Агтэрберга–Чэнга: верагоднасць парушэння ўмоўнай незалежнасці мадэлі
summary-targets = Перспектыўныя ўчасткі
summary-targets-value = { $count } ({ $rule }, парог { $threshold })
target-rule-top-percent = верхнія { $percent } % плошчы даследавання
target-rule-pa = перасячэнне на графіку «прагноз–плошча»
target-rule-threshold = значэнне не ніжэй за { $value }

## Карты
maps-heading = Карты
maps-note = Белыя кропкі — радовішчы і рудапраяўленні навучальнай выбаркі. Лічбы — рангі перспектыўных участкаў. Каляровая шкала — viridis (перцэпцыйна раўнамерная).
map-posterior = Апастэрыёрная верагоднасць (метад вагаў прыкмет)
map-prospectivity-ensemble = Перспектыўнасць (сярэдняя верагоднасць па ансамблі)
map-prospectivity-fuzzy = Перспектыўнасць (невыразная сетка лагічнага вываду)
map-uncertainty = Нявызначанасць: стандартнае адхіленне (апастэрыёрнай верагоднасці або па ансамблі мадэлей)
legend-log-scale = лагарыфмічная шкала
legend-standard-deviation = стандартнае адхіленне
map-target = Участак { $rank }

## Ацэнка якасці
validation-heading = Ацэнка якасці мадэлі
chart-success-rate = Крывая паспяховасці
chart-success-rate-x = доля плошчы даследавання (па змяншэнні апастэрыёрнай верагоднасці)
chart-success-rate-y = доля радовішчаў
curve-success-rate = крывая паспяховасці
curve-random = выпадковая мадэль
chart-pa = Графік «прагноз–плошча» (P-A)
chart-pa-x = log10 парога апастэрыёрнай верагоднасці
chart-pa-y = доля
curve-prediction-rate = доля прадказаных радовішчаў
curve-occupied-area = 1 − доля занятай плошчы
captures-share = доля радовішчаў
captures-area = неабходная доля плошчы
captures-interval = 95 % інтэрвал
captures-threshold = парог апастэрыёрнай верагоднасці
pa-crossing = Перасячэнне крывых P-A: парог { $threshold }, доля прадказаных радовішчаў { $rate }, доля занятай плошчы { $area }, нармаваная шчыльнасць { $density }, вага { $weight }.

## Мадэль
model-heading = Мадэль: { $kind } (ансамбль з { $members } { $members ->
        [one] мадэлі
       *[other] мадэлей
    })
model-heading-single = Мадэль: { $kind }
model-cv = Прасторавая крос-валідацыя — { $scheme }: сярэдні ROC AUC { $roc }, сярэдні AUC крывой прагнозу { $rate }. Базавая мадэль вагаў прыкмет на тых жа падвыбарках: сярэдні ROC AUC { $baseline_cv } (ацэнка на навучальных даных, завышаная: { $baseline }).
cv-scheme = квадратныя блокі са стараной { $block_km } км, размеркаваныя па { $folds } { $folds ->
        [one] падвыбарцы
       *[other] падвыбарках
    } (з фіксаваным зернем генератара)
fold = падвыбарка
fold-test-deposits = адкладзеныя радовішчы
fold-test-background = адкладзеныя фонавыя ячэйкі
fold-test-cells = ацэненыя адкладзеныя ячэйкі
column-roc-auc = ROC AUC
column-prediction-rate-auc = AUC крывой прагнозу
importance-heading = Значнасць слаёў — { $method }:
importance-method = зніжэнне ROC AUC на адкладзеных даных пры перамешванні слоя (5 паўтораў), сярэдняе па прасторавых падвыбарках
importance-layer = слой
importance-mean-drop = сярэдняе зніжэнне AUC
importance-sd = ст. адхіл. па падвыбарках


## Параўнанне мадэляў на адных падвыбарках
compare-heading = Мадэлі на адных і тых жа прасторавых падвыбарках
compare-intro = Кожная мадэль ацэнена ва ўсіх адкладзеных ячэйках адных і тых жа падвыбарак ({ $scheme }). Апошні слупок — розніца лепшай мадэлі і кожнай іншай па падвыбарках; выбар лепшай з гэтых мадэляў на тых жа падвыбарках сам з'яўляецца адборам, таму яе паказчык крыху завышаны. Слупок «на навучальных даных» — ацэнка кожнай мадэлі на яе ўласных навучальных радовішчах.
compare-model = мадэль
compare-run = папка разліку
compare-mean = ROC AUC на адкладзеных даных, сярэдняе ± ст. адхіл. па падвыбарках
compare-pooled = ROC AUC на адкладзеных даных, аб'яднаны
compare-fitted = ROC AUC на навучальных даных (завышаны)
compare-paired = лепшая мінус гэтая мадэль, па падвыбарках
compare-best = лепшая
compare-baseline = { $model } (базавая мадэль таго разліку)
compare-wins = лепшая вышэй у { $wins } з { $folds } { $folds ->
        [one] падвыбаркі
       *[other] падвыбарак
    }
## Перспектыўныя ўчасткі
targets-heading = Перспектыўныя ўчасткі
targets-none = Ніводзін участак не адпавядае правілу.
targets-column-rank = ранг
targets-column-area_km2 = плошча, км²
targets-column-centroid_x = цэнтр, x
targets-column-centroid_y = цэнтр, y
targets-column-mean_score = сярэдняя ацэнка
targets-column-peak_score = максімальная ацэнка
targets-column-mean_uncertainty = сярэдняя нявызначанасць
targets-column-deposits = радовішчы
targets-column-top_evidence = вядучыя прыкметы

## Ацэнка рэсурсаў
assessment-heading = Прагнозныя рэсурсы (верагоднасная ацэнка)
assessment-convention = USGS: Fp — колькасць, якая перавышаецца з верагоднасцю p (F95 — нізкая ацэнка, F5 — высокая)
assessment-trials = Выпрабаванняў Монтэ-Карла: { $trials }, зерне генератара { $seed }.
assessment-model = Мадэль «танаж–утрыманне»:
assessment-warning = Увага: чаканая паводле апастэрыёрнай верагоднасці колькасць радовішчаў — { $expected }, вядома — { $known } (адносіны { $ratio }); колькасць невыяўленых радовішчаў, выведзеная з апастэрыёрнай верагоднасці, завышана прыкладна ў { $inflation } раза.
assessment-total = усяго
assessment-mean = сярэдняе
assessment-analytic-mean = аналітычнае сярэдняе
assessment-tract = участак
assessment-area = плошча, км²
assessment-undiscovered-mean = невыяўленыя радовішчы: сярэдняе
assessment-quantity-mean = { $quantity }: сярэдняе

## Вагі прыкмет
weights-heading = Вагі прыкмет
weights-layer = тып класіфікацыі: { $pattern }; { $derivation }; крыніца
pattern-ascending = па ўзрастанні
pattern-descending = па змяншэнні
pattern-categorical = катэгарыяльны
pattern-binary = бінарны
weights-more-rows = … яшчэ { $count } { $count ->
        [one] радок
        [few] радкі
        [many] радкоў
       *[other] радка
    } у
weights-column-CLASS = клас
weights-column-CLASS_AREA = плошча класа, км²
weights-column-NO_POINTS = колькасць пунктаў
weights-column-WPLUS = W+
weights-column-S_WPLUS = s(W+)
weights-column-WMINUS = W−
weights-column-CONTRAST = кантраст C
weights-column-STUDC = студэнтызаваны кантраст
weights-column-GEN_CLASS = абагульнены клас
weights-column-WEIGHT = вага
weights-column-W_STD = s(вагі)

## Паходжанне даных
provenance-heading = Паходжанне даных
provenance-role = роля
provenance-file = файл
grid-cells = Сетка: { $width } × { $height } { $height ->
        [one] ячэйка
        [few] ячэйкі
        [many] ячэек
       *[other] ячэйкі
    }, пераўтварэнне
grid-timings = Час (с):
grid-manifest = Поўны маніфест:

## Папярэджанні (warning-<код> з велічынямі, запісанымі ў run.json)
warning-conditional_independence = умоўная незалежнасць парушана: n/T = { NUMBER($ratio, minimumFractionDigits: 3) } (назіраная колькасць радовішчаў — { $observed }, прадказаная — { NUMBER($predicted, minimumFractionDigits: 1) }; значэнне ніжэй за { $limit } выклікае сумнеў), верагоднасць залежнасці паводле тэсту Агтэрберга–Чэнга — { NUMBER($probability, minimumFractionDigits: 3) }. Апастэрыёрная верагоднасць завышана: выключыце або аб'яднайце карэляваныя слаі ці выкарыстайце мадэль, якая навучаецца на даных
warning-layer_not_significant = слой «{ $layer }»: ніводная мяжа класаў не праходзіць парог студэнтызаванага кантрасту, таму вага ўсіх класаў роўная 0 і слой нічога не дадае. Панізьце парог, змяніце класы або выключыце слой
warning-large_class_without_deposits = слой «{ $layer }»: клас { $class } займае { $area } км² ({ $percent } % плошчы даследавання) і не ўтрымлівае ніводнага радовішча; яго вага { NUMBER($weight, minimumFractionDigits: 3) } ± { NUMBER($sd, minimumFractionDigits: 3) } трымаецца на краёвай папраўцы ў 0,99 радовішча, а не на даных
warning-duplicate_deposits = радовішчаў, пазначаных двойчы (супадаюць каардынаты): { $exact }; ячэек з некалькімі радовішчамі: { $stacked }; { $rule ->
        [keep] улічваецца кожны пункт (duplicates = "keep"): радовішча, пазначанае двойчы, важыць удвая. Выдаліце дублікаты або задайце duplicates = "one-per-cell"
        [one-per-cell] не ўлічана пунктаў: { $merged } (duplicates = "one-per-cell")
       *[error] duplicates = "error"
    }
warning-unseen_classes = слой «{ $layer }»: { $cells } { $cells ->
        [one] ячэйцы
       *[other] ячэйкам
    } класаў [{ $classes }], для якіх у табліцы { $table } няма радка, нададзена вага 0 (як адсутным даным). Выкарыстайце табліцу, разлічаную па гэтым растры, або перакласіфікуйце іх
warning-no_cross_validation = { $model ->
        [fuzzy] нечоткая сетка не прайшла
        [logistic] лагістычная рэгрэсія не прайшла
        [random_forest] выпадковы лес не прайшоў
        [gradient_boosting] градыентны бустынг не прайшоў
       *[other] метад вагаў прыкмет не прайшоў
    } крос-валідацыю: плошча даследавання пакрывае толькі { $blocks } { $blocks ->
        [one] блок
        [few] блокі
        [many] блокаў
       *[other] блока
    } са стараной cv_block_km = { $block_km } км — менш, чым cv_folds = { $folds }. Яго паказчыкі атрыманы на навучальных даных; для ацэнкі на адкладзеных даных паменшыце cv_block_km у [model] (або колькасць cv_folds)
warning-small_fold = падвыбарка { $fold } прасторавай крос-валідацыі ўтрымлівае { $held_out } { $held_out ->
        [one] адкладзенае радовішча
        [few] адкладзеныя радовішчы
        [many] адкладзеных радовішчаў
       *[other] адкладзенага радовішча
    }: яе AUC — шум. Павялічце блокі (cv_block_km) або паменшыце колькасць падвыбарак
warning-overfitting = ROC AUC на навучальных даных ({ NUMBER($fitted, minimumFractionDigits: 3) }) на { NUMBER($gap, minimumFractionDigits: 3) } вышэйшы за ROC AUC прасторавай крос-валідацыі ({ NUMBER($cv, minimumFractionDigits: 3) }): мадэль запомніла навучальныя радовішчы (перанавучанне). Прыводзьце паказчык крос-валідацыі; прасцейшая мадэль (менш класаў або слаёў, менш дрэў або меншая іх глыбіня, мацнейшая рэгулярызацыя) можа лепш абагульняць
warning-non_finite_cells = { $file }: { $origin ->
        [computed] разлік даў ячэек са значэннем NaN або ±Inf: { $cells }; яны запісаны як NoData
       *[input] ячэек са значэннем NaN або ±Inf: { $cells }; яны прынятыя за NoData
    }
