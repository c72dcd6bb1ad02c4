{#- Count definitions (merkmal, SQL condition, German definition with the parameters
    used). The condition refers to the staging relation of the delivery. -#}

{% macro einwohner_merkmale() %}
    {%- set erwerb_ab = parameter('alter_erwerb_ab') -%}
    {%- set erwerb_bis = parameter('sgb2_hoechstalter') -%}
    {%- set kinder_bis = parameter('alter_kinder_bis') -%}
    {%- set minderj_bis = parameter('alter_minderjaehrig_bis') -%}
    {%- set jung_bis = parameter('alter_jung_bis') -%}
    {%- set senioren_ab = parameter('alter_senioren_ab') -%}
    {{ return([
        {'merkmal': 'ew', 'bedingung': 'true',
         'definition': 'Einwohner insgesamt'},
        {'merkmal': 'ew_u18', 'bedingung': 'alter <= ' ~ minderj_bis,
         'definition': 'Einwohner, Alter 0 bis ' ~ minderj_bis},
        {'merkmal': 'ew_u15', 'bedingung': 'alter <= ' ~ kinder_bis,
         'definition': 'Einwohner, Alter 0 bis ' ~ kinder_bis},
        {'merkmal': 'ew_15_64', 'bedingung': 'alter between ' ~ erwerb_ab ~ ' and ' ~ erwerb_bis,
         'definition': 'Einwohner, Alter ' ~ erwerb_ab ~ ' bis ' ~ erwerb_bis},
        {'merkmal': 'ew_18_64',
         'bedingung': 'alter between ' ~ (minderj_bis + 1) ~ ' and ' ~ erwerb_bis,
         'definition': 'Einwohner, Alter ' ~ (minderj_bis + 1) ~ ' bis ' ~ erwerb_bis},
        {'merkmal': 'ew_u65', 'bedingung': 'alter <= ' ~ erwerb_bis,
         'definition': 'Einwohner, Alter 0 bis ' ~ erwerb_bis},
        {'merkmal': 'ew_65plus', 'bedingung': 'alter >= ' ~ senioren_ab,
         'definition': 'Einwohner, Alter ab ' ~ senioren_ab},
        {'merkmal': 'ew_u21', 'bedingung': 'alter <= ' ~ jung_bis,
         'definition': 'Einwohner, Alter 0 bis ' ~ jung_bis},
        {'merkmal': 'ew_nichtdeutsch', 'bedingung': "staatsangehoerigkeit = 'nichtdeutsch'",
         'unbekannt_wenn': "staatsangehoerigkeit = 'insgesamt'",
         'definition': 'Einwohner ohne deutsche Staatsangehörigkeit'},
    ]) }}
{% endmacro %}

{% macro sgb2_merkmale() %}
    {{ return([
        {'merkmal': 'bg', 'definition': 'Bedarfsgemeinschaften (BA)'},
        {'merkmal': 'rlb', 'definition': 'Regelleistungsberechtigte (BA)'},
        {'merkmal': 'elb', 'definition': 'Erwerbsfähige Leistungsberechtigte (BA)'},
        {'merkmal': 'nef', 'definition': 'Nicht erwerbsfähige Leistungsberechtigte (BA)'},
        {'merkmal': 'nef_u15', 'definition': 'NEF unter 15 Jahren (BA)'},
        {'merkmal': 'alo_sgb2', 'definition': 'Arbeitslose SGB II (BA)'},
        {'merkmal': 'lzb', 'definition': 'Langzeitleistungsbeziehende (BA)'},
        {'merkmal': 'bg_alleinerziehend', 'definition': 'Alleinerziehende BG (BA)'},
    ]) }}
{% endmacro %}

{% macro sgb12_merkmale() %}
    {%- set senioren_ab = parameter('alter_senioren_ab') -%}
    {{ return([
        {'merkmal': 'grusi_alter_ave_65plus',
         'bedingung': "leistungsart = 'GRUSI_ALTER' and not in_einrichtung and alter >= "
                      ~ senioren_ab,
         'definition': 'Grundsicherung im Alter, außerhalb von Einrichtungen, Alter ab '
                       ~ senioren_ab},
        {'merkmal': 'grusi_ave',
         'bedingung': "leistungsart in ('GRUSI_ALTER', 'GRUSI_EM') and not in_einrichtung",
         'definition': 'Grundsicherung im Alter und bei Erwerbsminderung, außerhalb von Einrichtungen'},
        {'merkmal': 'grusi_empfaenger',
         'bedingung': "leistungsart in ('GRUSI_ALTER', 'GRUSI_EM')",
         'definition': 'Grundsicherung im Alter und bei Erwerbsminderung, alle Empfänger'},
        {'merkmal': 'hlu_ave', 'bedingung': "leistungsart = 'HLU' and not in_einrichtung",
         'definition': 'Hilfe zum Lebensunterhalt, außerhalb von Einrichtungen'},
        {'merkmal': 'hzp', 'bedingung': "leistungsart = 'HZP'",
         'definition': 'Hilfe zur Pflege'},
    ]) }}
{% endmacro %}

{% macro sgb8_merkmale() %}
    {#- "running on 31.12 or ended during the year" = no end, or an end on/after 1.1. -#}
    {%- set laufend = "(ende is null or ende >= make_date(jahr, 1, 1))" -%}
    {%- set hze = "hilfeart in " ~ sql_liste(parameter('hze_paragraphen')) -%}
    {%- set ehi = "hilfeart in " ~ sql_liste(parameter('eingliederungshilfe_paragraphen')) -%}
    {%- set ino = "hilfeart in " ~ sql_liste(parameter('inobhutnahme_paragraphen')) -%}
    {#- money is summed as exact decimals (exakte_summe): the sum does not depend on the row order -#}
    {{ return([
        {'merkmal': 'hze_faelle', 'aggregat': 'count(*)', 'bedingung': hze ~ ' and ' ~ laufend,
         'definition': 'HzE-Fälle (§§ ' ~ (parameter('hze_paragraphen') | join(', ')) ~
                       ') am 31.12. laufend oder im Jahr beendet'},
        {'merkmal': 'eingliederungshilfe_35a_faelle', 'aggregat': 'count(*)',
         'bedingung': ehi ~ ' and ' ~ laufend,
         'definition': 'Fälle § ' ~ (parameter('eingliederungshilfe_paragraphen') | join(', ')) ~
                       ' am 31.12. laufend oder im Jahr beendet'},
        {'merkmal': 'inobhutnahmen', 'aggregat': 'count(*)',
         'bedingung': ino ~ ' and year(beginn) = jahr',
         'definition': 'Inobhutnahmen (§ ' ~ (parameter('inobhutnahme_paragraphen') | join(', ')) ~
                       ') mit Beginn im Jahr'},
        {'merkmal': 'hze_kosten', 'aggregat': 'sum(kosten_jahr::decimal(38, 10))',
         'bedingung': hze ~ ' and ' ~ laufend,
         'definition': 'Summe kosten_jahr der HzE-Fälle (EUR)'},
    ]) }}
{% endmacro %}
