/*
 * demo.c - a demo event and people from many communities (see demo.h).
 *
 * What for: the kiosk's --demo mode, screenshots, UI tests and search
 * benchmarks need people whose names look like the people at the door:
 * written the way they write them (Vietnamese with every diacritic, Chinese
 * in pinyin and in Han characters, Korean romanised and in Hangul, Khmer and
 * Lao in their scripts, Hawaiian with the ʻokina and macrons, names typed
 * in capitals or in lower case, people with no family name).  Phones are
 * fictional (555-01xx), emails use the reserved example.* domains.
 *
 * Everything is deterministic: a small generator seeded with a constant
 * (kdemo_seed) or with the caller's seed (kdemo_people) picks from the
 * lists below, so two runs give the same names in the same order.  Only the
 * record ids and stamps differ (they come from the store).
 *
 * kdemo_seed writes everything in one batch, ending with the setting
 * "demo.seeded": either all of it is in the database or none of it, and a
 * second run sees the mark and adds nothing.
 */
#define _POSIX_C_SOURCE 200809L
#include "demo.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fold.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define DEMO_MARK "demo.seeded"        /* setting set by a finished seed */
#define DEMO_PEOPLE 200
#define DEMO_BATCH 5000                 /* people per transaction (bench) */

/* A name as written, and how its owner spells it in an email address
 * (NULL: the folded name itself). */
typedef struct demo_name {
    const char *written;
    const char *roman;
} demo_name;

typedef struct community {
    const demo_name *given;
    int n_given;
    const demo_name *family;
    int n_family;
    int weight;                         /* share of the generated people */
} community;

/* ---- names ------------------------------------------------------------------ */

static const demo_name vi_given[] = {
    {"Thị Hương", 0}, {"Văn Đức", 0}, {"Minh Anh", 0}, {"Thu Trang", 0},
    {"Quốc Bảo", 0}, {"Ngọc Lan", 0}, {"Hoàng Long", 0}, {"Thị Mai", 0},
    {"Văn Hùng", 0}, {"Bảo Ngọc", 0}, {"Đức Anh", 0}, {"Thanh Hằng", 0},
    {"Phương Linh", 0}, {"Tuấn", 0}, {"Khánh Vy", 0}, {"Hương", 0},
    {"Dũng", 0}, {"Thảo", 0}, {"Quỳnh", 0}, {"Hải Yến", 0}, {"Thuận", 0},
    {"Lực", 0}, {"Nhung", 0}, {"Việt", 0}, {"Lộc", 0}, {"Ánh", 0},
    {"Phúc", 0}, {"Thủy", 0}, {"Kim Ngân", 0}, {"Gia Huy", 0}, {"Tommy", 0},
    {"Linh", 0},
};
static const demo_name vi_family[] = {
    {"Nguyễn", 0}, {"Nguyễn", 0}, {"Nguyễn", 0}, {"Trần", 0}, {"Trần", 0},
    {"Lê", 0}, {"Phạm", 0}, {"Hoàng", 0}, {"Huỳnh", 0}, {"Phan", 0},
    {"Vũ", 0}, {"Võ", 0}, {"Đặng", 0}, {"Bùi", 0}, {"Đỗ", 0}, {"Hồ", 0},
    {"Ngô", 0}, {"Dương", 0}, {"Lý", 0}, {"Nguyen", 0}, {"Tran", 0},
    {"Pham", 0}, {"Le", 0},
};
static const demo_name zh_given[] = {
    {"Mei Ling", 0}, {"Wei", 0}, {"Xiaoming", 0}, {"Jing", 0}, {"Yan", 0},
    {"Hao", 0}, {"Li Na", 0}, {"Jun", 0}, {"Zihan", 0}, {"Yu-Ting", 0},
    {"Ka Wai", 0}, {"Siu Ming", 0}, {"Wing Yee", 0}, {"Kevin", 0},
    {"Grace", 0}, {"Jia Hui", 0}, {"Zhiwei", 0}, {"Xinyi", 0},
};
static const demo_name zh_family[] = {
    {"Chen", 0}, {"Wang", 0}, {"Li", 0}, {"Zhang", 0}, {"Liu", 0},
    {"Huang", 0}, {"Wu", 0}, {"Lin", 0}, {"Zhou", 0}, {"Xu", 0},
    {"Wong", 0}, {"Chan", 0}, {"Lee", 0}, {"Leung", 0}, {"Ng", 0},
    {"Cheung", 0}, {"Lau", 0}, {"Ho", 0},
};
static const demo_name han_given[] = {
    {"美玲", "meiling"}, {"伟", "wei"}, {"娜", "na"}, {"晓明", "xiaoming"},
    {"怡君", "yijun"}, {"志明", "zhiming"}, {"淑芬", "shufen"},
    {"静", "jing"}, {"浩然", "haoran"}, {"嘉欣", "jiaxin"},
};
static const demo_name han_family[] = {
    {"陈", "chen"}, {"王", "wang"}, {"李", "li"}, {"张", "zhang"},
    {"刘", "liu"}, {"黄", "huang"}, {"林", "lin"}, {"周", "zhou"},
    {"陳", "chan"}, {"黃", "wong"},
};
static const demo_name ko_given[] = {
    {"Min-jun", 0}, {"Seo-yeon", 0}, {"Ji-hoon", 0}, {"Ha-eun", 0},
    {"Jae-won", 0}, {"Soo-jin", 0}, {"Hyun-woo", 0}, {"Eun-ji", 0},
    {"Dong-hyun", 0}, {"Yuna", 0}, {"Jiwoo", 0}, {"Minseo", 0},
    {"Sung Min", 0}, {"Daniel", 0},
};
static const demo_name ko_family[] = {
    {"Kim", 0}, {"Kim", 0}, {"Lee", 0}, {"Park", 0}, {"Choi", 0},
    {"Jung", 0}, {"Kang", 0}, {"Cho", 0}, {"Yoon", 0}, {"Jang", 0},
    {"Lim", 0}, {"Han", 0}, {"Shin", 0}, {"Oh", 0},
};
static const demo_name hangul_given[] = {
    {"민준", "minjun"}, {"서연", "seoyeon"}, {"지훈", "jihoon"},
    {"하은", "haeun"}, {"수진", "sujin"}, {"현우", "hyunwoo"},
    {"국진", "gukjin"}, {"은지", "eunji"}, {"도윤", "doyun"},
};
static const demo_name hangul_family[] = {
    {"김", "kim"}, {"이", "lee"}, {"박", "park"}, {"최", "choi"},
    {"정", "jung"}, {"강", "kang"}, {"한", "han"}, {"윤", "yoon"},
};
static const demo_name fil_given[] = {
    {"María", 0}, {"Jose", 0}, {"Maria Cristina", 0}, {"Juan Carlos", 0},
    {"Angelica", 0}, {"Mark Anthony", 0}, {"Ligaya", 0}, {"Marites", 0},
    {"Jocelyn", 0}, {"Rommel", 0}, {"Josefina", 0}, {"Ma. Lourdes", 0},
    {"Bayani", 0}, {"Rizalino", 0}, {"Jericho", 0}, {"Kristine Joy", 0},
    {"Dolores", 0}, {"Ramón", 0},
};
static const demo_name fil_family[] = {
    {"Santos", 0}, {"Dela Cruz", 0}, {"Reyes", 0}, {"Bautista", 0},
    {"Garcia", 0}, {"Mendoza", 0}, {"Villanueva", 0}, {"Aquino", 0},
    {"Ocampo", 0}, {"Castillo", 0}, {"De Leon", 0}, {"Macaraeg", 0},
    {"Dimaculangan", 0}, {"Pangilinan", 0}, {"Magbanua", 0}, {"Estrella", 0},
};
static const demo_name km_given[] = {
    {"Sokha", 0}, {"Dara", 0}, {"Sophea", 0}, {"Vanna", 0}, {"Chanthou", 0},
    {"Sreymom", 0}, {"Bopha", 0}, {"Rithy", 0}, {"Pisey", 0}, {"Vuthy", 0},
    {"Sothea", 0}, {"Kosal", 0}, {"Chenda", 0}, {"Sovann", 0},
};
static const demo_name km_family[] = {
    {"Sok", 0}, {"Chan", 0}, {"Keo", 0}, {"Heng", 0}, {"Meas", 0},
    {"Chea", 0}, {"Ly", 0}, {"Pich", 0}, {"Sam", 0}, {"Prak", 0},
    {"Nhem", 0}, {"Touch", 0}, {"Men", 0}, {"Oum", 0},
};
static const demo_name khmer_given[] = {
    {"ចាន់", "chan"}, {"សុភា", "sophea"}, {"ដារ៉ា", "dara"},
    {"បុប្ផា", "bopha"}, {"វណ្ណា", "vanna"}, {"សុខា", "sokha"},
    {"រិទ្ធី", "rithy"},
};
static const demo_name khmer_family[] = {
    {"សុខ", "sok"}, {"កែវ", "keo"}, {"ហេង", "heng"}, {"មាស", "meas"},
    {"ជា", "chea"}, {"ប្រាក់", "prak"},
};
static const demo_name lo_given[] = {
    {"Somphone", 0}, {"Bounmy", 0}, {"Khamla", 0}, {"Souksavanh", 0},
    {"Vilayvanh", 0}, {"Phonsavanh", 0}, {"Noy", 0}, {"Manivanh", 0},
    {"Sengphet", 0}, {"Outhai", 0}, {"Khamphou", 0},
};
static const demo_name lo_family[] = {
    {"Phommachanh", 0}, {"Sayavong", 0}, {"Vongsavath", 0}, {"Keomany", 0},
    {"Inthavong", 0}, {"Luangrath", 0}, {"Sisouphanh", 0},
    {"Chanthavong", 0}, {"Phanthavong", 0}, {"Douangdara", 0},
};
static const demo_name lao_given[] = {
    {"ສົມພອນ", "somphone"}, {"ບຸນມີ", "bounmy"}, {"ຄຳລາ", "khamla"},
    {"ມະນີວັນ", "manivanh"},
};
static const demo_name lao_family[] = {
    {"ສີສຸພັນ", "sisouphanh"}, {"ວົງສະຫວັດ", "vongsavath"},
    {"ແກ້ວມະນີ", "keomany"}, {"ອິນທະວົງ", "inthavong"},
};
static const demo_name ja_given[] = {
    {"Haruto", 0}, {"Yui", 0}, {"Sakura", 0}, {"Kenji", 0}, {"Aiko", 0},
    {"Hiroshi", 0}, {"Yūki", 0}, {"Ren", 0}, {"Emi", 0}, {"Takeshi", 0},
    {"Naomi", 0}, {"Kaito", 0},
};
static const demo_name ja_family[] = {
    {"Tanaka", 0}, {"Suzuki", 0}, {"Takahashi", 0}, {"Watanabe", 0},
    {"Yamamoto", 0}, {"Nakamura", 0}, {"Kobayashi", 0}, {"Satō", 0},
    {"Itō", 0}, {"Fujimoto", 0}, {"Ōta", 0}, {"Shimizu", 0},
};
static const demo_name jp_given[] = {
    {"優子", "yuko"}, {"太郎", "taro"}, {"さくら", "sakura"},
    {"健二", "kenji"}, {"エミ", "emi"},
};
static const demo_name jp_family[] = {
    {"佐々木", "sasaki"}, {"山田", "yamada"}, {"田中", "tanaka"},
    {"鈴木", "suzuki"},
};
static const demo_name hmn_given[] = {
    {"Pa", 0}, {"Mai", 0}, {"Nou", 0}, {"Tou", 0}, {"Xee", 0}, {"Chue", 0},
    {"Kou", 0}, {"Yer", 0}, {"Pheng", 0}, {"Mai Yia", 0}, {"Choua", 0},
    {"Tong", 0}, {"Ntxhi", 0}, {"Kia", 0}, {"Txhiaj", 0},
};
static const demo_name hmn_family[] = {
    {"Vang", 0}, {"Xiong", 0}, {"Yang", 0}, {"Lee", 0}, {"Her", 0},
    {"Thao", 0}, {"Moua", 0}, {"Lor", 0}, {"Vue", 0}, {"Hang", 0},
    {"Khang", 0}, {"Lo", 0}, {"Chang", 0}, {"Kue", 0}, {"Cha", 0},
};
static const demo_name haw_given[] = {
    {"Keʻala", 0}, {"Kainoa", 0}, {"Leilani", 0}, {"Makana", 0},
    {"Noelani", 0}, {"Kaleo", 0}, {"Kawika", 0}, {"Mālia", 0},
    {"Pualani", 0}, {"Kekoa", 0}, {"Keoni", 0}, {"ʻIolani", 0},
};
static const demo_name haw_family[] = {
    {"Kahananui", 0}, {"Kealoha", 0}, {"Akana", 0}, {"Kahale", 0},
    {"Kamakau", 0}, {"Nāone", 0}, {"Kaʻuhane", 0}, {"Kanahele", 0},
    {"Keawe", 0}, {"Pāhoa", 0},
};
static const demo_name sm_given[] = {
    {"Malia", 0}, {"Sione", 0}, {"Tavita", 0}, {"Losa", 0}, {"Fetu", 0},
    {"Iosefa", 0}, {"Salote", 0}, {"Ioane", 0}, {"Faʻamoe", 0},
};
static const demo_name sm_family[] = {
    {"Tuiasosopo", 0}, {"Faleolo", 0}, {"Leota", 0}, {"Tuilagi", 0},
    {"Soʻoalo", 0}, {"Aumua", 0}, {"Fuimaono", 0}, {"Leiataua", 0},
};
static const demo_name to_given[] = {
    {"Sione", 0}, {"Siaosi", 0}, {"Mele", 0}, {"ʻOfa", 0}, {"Viliami", 0},
    {"Lesieli", 0}, {"Salote", 0}, {"Tevita", 0},
};
static const demo_name to_family[] = {
    {"Fifita", 0}, {"Tupou", 0}, {"Havili", 0}, {"Taufa", 0},
    {"Vainikolo", 0}, {"Moala", 0}, {"ʻAhoia", 0}, {"Kaufusi", 0},
};
static const demo_name ch_given[] = {
    {"Jesus", 0}, {"Rosa", 0}, {"Francisco", 0}, {"Josephine", 0},
    {"Vicente", 0}, {"Ana", 0},
};
static const demo_name ch_family[] = {
    {"Taitano", 0}, {"Camacho", 0}, {"San Nicolas", 0}, {"Cruz", 0},
    {"Quinata", 0}, {"Aguon", 0},
};
static const demo_name fj_given[] = {
    {"Litia", 0}, {"Jone", 0}, {"Mere", 0}, {"Epeli", 0}, {"Losana", 0},
};
static const demo_name fj_family[] = {
    {"Naivalu", 0}, {"Vunibola", 0}, {"Qalo", 0}, {"Tuisawau", 0},
};
static const demo_name sa_given[] = {
    {"Priya", 0}, {"Arjun", 0}, {"Ananya", 0}, {"Rahul", 0}, {"Fatima", 0},
    {"Imran", 0}, {"Sunita", 0}, {"Harpreet", 0}, {"Deepa", 0},
    {"Vikram", 0}, {"Aisha", 0}, {"Sanjay", 0}, {"Nusrat", 0},
    {"Pooja", 0}, {"Ravi", 0}, {"Sabina", 0},
};
static const demo_name sa_family[] = {
    {"Patel", 0}, {"Sharma", 0}, {"Singh", 0}, {"Kaur", 0}, {"Khan", 0},
    {"Gupta", 0}, {"Reddy", 0}, {"Iyer", 0}, {"Rahman", 0},
    {"Chowdhury", 0}, {"Banerjee", 0}, {"Shah", 0}, {"Desai", 0},
    {"Perera", 0}, {"Gurung", 0}, {"Tamang", 0}, {"D'Souza", 0},
};
/* Burma: Bamar and Karen names often have no family name at all */
static const demo_name mm_given[] = {
    {"Htet Aung", 0}, {"Thida", 0}, {"Eh Htoo", 0}, {"Paw Say", 0},
    {"Nilar", 0}, {"Min Thu", 0}, {"Naw Eh Paw", 0},
};
static const demo_name mm_family[] = {
    {"Win", 0}, {"Aung", 0}, {"Htoo", 0}, {"Hlaing", 0}, {"", 0}, {"", 0},
};
static const demo_name th_given[] = {
    {"Somchai", 0}, {"Suda", 0}, {"Niran", 0}, {"Kanya", 0}, {"Ploy", 0},
};
static const demo_name th_family[] = {
    {"Srisuk", 0}, {"Wongsakul", 0}, {"Chaiyaporn", 0}, {"Saetang", 0},
};
static const demo_name id_given[] = {
    {"Dewi", 0}, {"Budi", 0}, {"Siti", 0}, {"Putri", 0}, {"Agus", 0},
};
static const demo_name id_family[] = {
    {"Santoso", 0}, {"Wijaya", 0}, {"Hartono", 0}, {"Susanto", 0}, {"", 0},
};
static const demo_name ie_given[] = {
    {"Siobhán", 0}, {"Seán", 0}, {"Niamh", 0}, {"Aoife", 0}, {"Ciarán", 0},
};
static const demo_name ie_family[] = {
    {"O'Connor", 0}, {"Ó Briain", 0}, {"McCarthy", 0}, {"Murphy", 0},
    {"O’Sullivan", 0},
};
static const demo_name la_given[] = {
    {"José", 0}, {"Lucía", 0}, {"Ángel", 0}, {"Ximena", 0}, {"Jesús", 0},
    {"Guadalupe", 0},
};
static const demo_name la_family[] = {
    {"Hernández", 0}, {"Muñoz", 0}, {"García-López", 0}, {"Núñez", 0},
    {"Peña", 0}, {"De la Rosa", 0},
};

#define COMMUNITY(g, f, w) {g, COUNT(g), f, COUNT(f), w}
static const community communities[] = {
    COMMUNITY(vi_given, vi_family, 20),
    COMMUNITY(zh_given, zh_family, 10),
    COMMUNITY(han_given, han_family, 4),
    COMMUNITY(ko_given, ko_family, 7),
    COMMUNITY(hangul_given, hangul_family, 3),
    COMMUNITY(fil_given, fil_family, 12),
    COMMUNITY(km_given, km_family, 5),
    COMMUNITY(khmer_given, khmer_family, 2),
    COMMUNITY(lo_given, lo_family, 4),
    COMMUNITY(lao_given, lao_family, 1),
    COMMUNITY(ja_given, ja_family, 4),
    COMMUNITY(jp_given, jp_family, 1),
    COMMUNITY(hmn_given, hmn_family, 6),
    COMMUNITY(haw_given, haw_family, 4),
    COMMUNITY(sm_given, sm_family, 3),
    COMMUNITY(to_given, to_family, 2),
    COMMUNITY(ch_given, ch_family, 1),
    COMMUNITY(fj_given, fj_family, 1),
    COMMUNITY(sa_given, sa_family, 6),
    COMMUNITY(mm_given, mm_family, 1),
    COMMUNITY(th_given, th_family, 1),
    COMMUNITY(id_given, id_family, 1),
    COMMUNITY(ie_given, ie_family, 1),
    COMMUNITY(la_given, la_family, 2),
};

/* People who are always in the demo, first: the names the tests and the
 * screenshots look for, some typed the way people really type them. */
typedef struct featured {
    const char *given, *family, *roman;
} featured;

static const featured featured_people[] = {
    {"Thị Hương", "Nguyễn", "huong.nguyen"},
    {"Văn Đức", "Trần", "duc.tran"},
    {"Quốc Bảo", "Đặng", NULL},
    {"Lực", "Bùi", NULL},
    {"lan", "nguyen", NULL},
    {"Mei Ling", "Chen", NULL},
    {"美玲", "陈", "meiling.chen"},
    {"Min-jun", "Kim", NULL},
    {"민준", "김", "minjun.kim"},
    {"국진", "한", "gukjin.han"},
    {"María", "Santos", NULL},
    {"Jose", "Dela Cruz", NULL},
    {"MARITES", "REYES", NULL},
    {"ចាន់", "សុខ", "chan.sok"},
    {"Sokha", "Chan", NULL},
    {"ສົມພອນ", "ສີສຸພັນ", "somphone.s"},
    {"Bounmy", "Phommachanh", NULL},
    {"優子", "佐々木", "yuko.sasaki"},
    {"Haruto", "Tanaka", NULL},
    {"Mai Yia", "Vang", NULL},
    {"Tou", "Xiong", NULL},
    {"Keʻala", "Kahananui", NULL},
    {"Sione", "Fifita", NULL},
    {"Malia", "Tuiasosopo", NULL},
    {"Mālia", "ʻAhoia", NULL},
    {"Leilani", "Kaʻuhane", NULL},
    {"Priya", "Patel", NULL},
    {"नेहा", "शर्मा", "neha.sharma"},
    {"Siobhán", "O'Connor", NULL},
    {"Htet Aung", "", NULL},
    {"สมชาย", "ใจดี", "somchai.j"},
    {"Anne-Marie", "Lefèvre", NULL},
    {"Søren", "Kjærgaard", NULL},
    {"Ayşe", "Yılmaz", NULL},
};

static const char *const zips[] = {
    "98118", "98144", "98108", "98104", "98168", "98032", "98003", "96817",
    "96819", "96797", "94112", "94587", "95112", "95122", "92683", "55106",
    "55117", "95823", "98404", "98406",
};
static const char *const area_codes[] = {
    "206", "253", "425", "360", "808", "510", "415", "408", "916", "714",
    "651",
};
static const char *const domains[] = {"example.org", "example.com", "example.net"};

/* Past events of the demo: days before today, name, program. */
typedef struct past_event {
    int days_ago;
    const char *name, *program;
} past_event;

static const past_event past_events[] = {
    {63, "Lunar New Year Family Night", "family"},
    {28, "Youth Summer Bootcamp Info Session", "youth"},
    {9, "Parent Meeting: College Applications", "parents"},
};

/* ---- generator ---------------------------------------------------------------- */

/* A 64-bit linear congruential generator (Knuth's MMIX constants); the
 * high bits are good enough for picking names. */
static uint32_t demo_rand(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*state >> 33);
}

/* A number in [0, n). */
static int pick(uint64_t *state, int n)
{
    return (int)(demo_rand(state) % (uint32_t)n);
}

/* Picks a community by weight. */
static const community *pick_community(uint64_t *state)
{
    int total = 0;
    for (int i = 0; i < COUNT(communities); i++)
        total += communities[i].weight;
    int r = pick(state, total);
    for (int i = 0; i < COUNT(communities); i++) {
        if (r < communities[i].weight)
            return &communities[i];
        r -= communities[i].weight;
    }
    return &communities[0];
}

/* Writes the ASCII email form of a name part: its romanisation if given,
 * else the folded name without spaces; "" if that is not plain ASCII. */
static void email_part(const char *written, const char *roman, char *out, size_t cap)
{
    char folded[KIOSK_FIELD_BYTES(KIOSK_NAME_MAX * 2)];
    size_t n = 0;
    kfold(roman ? roman : written, folded, sizeof folded);
    for (const char *p = folded; *p && n + 1 < cap; p++) {
        if ((unsigned char)*p >= 0x80) {
            n = 0;                          /* not Latin: no address */
            break;
        }
        if (*p != ' ')
            out[n++] = *p;
    }
    out[n] = '\0';
}

/* Fills phone, email and ZIP the way people give them: not everyone gives
 * each, and formats vary. */
static void contact(uint64_t *st, kperson *p, const char *g_roman, const char *f_roman)
{
    char g[64], f[64];
    int r = pick(st, 100);
    const char *area = area_codes[pick(st, COUNT(area_codes))];
    unsigned line = (unsigned)pick(st, 100);
    p->phone[0] = p->email[0] = p->zip[0] = '\0';
    if (r < 86) {
        switch (pick(st, 6)) {
        case 0: snprintf(p->phone, sizeof p->phone, "(%s) 555-01%02u", area, line); break;
        case 1: snprintf(p->phone, sizeof p->phone, "%s-555-01%02u", area, line); break;
        case 2: snprintf(p->phone, sizeof p->phone, "%s.555.01%02u", area, line); break;
        case 3: snprintf(p->phone, sizeof p->phone, "+1 %s 555 01%02u", area, line); break;
        case 4: snprintf(p->phone, sizeof p->phone, "%s55501%02u", area, line); break;
        default: snprintf(p->phone, sizeof p->phone, "%s 555 01%02u", area, line); break;
        }
    }
    email_part(p->given, g_roman, g, sizeof g);
    email_part(p->family, f_roman, f, sizeof f);
    if (pick(st, 100) < 62 && g[0]) {
        const char *dom = domains[pick(st, COUNT(domains))];
        unsigned num = (unsigned)pick(st, 100);
        switch (f[0] ? pick(st, 4) : 3) {
        case 0: snprintf(p->email, sizeof p->email, "%s.%s@%s", g, f, dom); break;
        case 1: snprintf(p->email, sizeof p->email, "%s%s%02u@%s", g, f, num, dom); break;
        case 2: snprintf(p->email, sizeof p->email, "%c%s@%s", g[0], f, dom); break;
        default: snprintf(p->email, sizeof p->email, "%s%u@%s", g, num, dom); break;
        }
    }
    if (pick(st, 100) < 45)
        snprintf(p->zip, sizeof p->zip, "%s", zips[pick(st, COUNT(zips))]);
}

/* Generates the next person of a deterministic stream: given and family
 * name from one community, contact details as people give them. */
static void generate(uint64_t *st, kperson *p)
{
    const community *c = pick_community(st);
    const demo_name *g = &c->given[pick(st, c->n_given)];
    const demo_name *f = &c->family[pick(st, c->n_family)];
    memset(p, 0, sizeof *p);
    snprintf(p->given, sizeof p->given, "%s", g->written);
    snprintf(p->family, sizeof p->family, "%s", f->written);
    contact(st, p, g->roman, f->roman);
}

/* The date days before date (YYYY-MM-DD), by the local calendar. */
static void days_before(const char *date, int days, char out[11])
{
    struct tm tm;
    int y = 1970, m = 1, d = 1;
    memset(&tm, 0, sizeof tm);
    sscanf(date, "%d-%d-%d", &y, &m, &d);
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d - days;
    tm.tm_hour = 12;                        /* far from DST changes */
    tm.tm_isdst = -1;
    if (mktime(&tm) == (time_t)-1 || strftime(out, 11, "%Y-%m-%d", &tm) != 10)
        snprintf(out, 11, "%s", date);
}

/* True if given + family is already among the first n people. */
static int seen(const kperson *people, int n, const kperson *p)
{
    for (int i = 0; i < n; i++)
        if (strcmp(people[i].given, p->given) == 0 &&
            strcmp(people[i].family, p->family) == 0)
            return 1;
    return 0;
}

/* Makes the demo's people (featured first, then generated, no name twice)
 * and signs each up at one past event, checking them in at some later
 * ones, inside the open batch. */
static int seed_people(kstore *s, const kevent *past, int n_past, kerr *err)
{
    uint64_t st = 0x4B494F534B444D4FULL;    /* fixed: the same demo every time */
    int n = 0, ret = 0;
    kperson *list = calloc(DEMO_PEOPLE, sizeof *list);
    if (!list)
        return kerr_set(err, KERR_INTERNAL, "demo: out of memory");
    for (int i = 0; i < COUNT(featured_people) && n < DEMO_PEOPLE; i++) {
        const featured *f = &featured_people[i];
        kperson *p = &list[n++];
        snprintf(p->given, sizeof p->given, "%s", f->given);
        snprintf(p->family, sizeof p->family, "%s", f->family);
        contact(&st, p, NULL, NULL);
        if (f->roman)
            snprintf(p->email, sizeof p->email, "%s@%s", f->roman,
                     domains[i % COUNT(domains)]);
    }
    while (n < DEMO_PEOPLE) {
        generate(&st, &list[n]);
        if (!seen(list, n, &list[n]))
            n++;
    }
    for (int i = 0; i < n && ret == 0; i++) {
        int first = pick(&st, n_past);
        ret = kstore_signup(s, &list[i], past[first].id, err);
        for (int e = first + 1; e < n_past && ret == 0; e++)
            if (pick(&st, 100) < 55)
                ret = kstore_checkin(s, list[i].id, past[e].id, err);
    }
    free(list);
    return ret;
}

/* ---- public ---------------------------------------------------------------------- */

/* Creates the demo event, past events and people, once (see demo.h). */
int kdemo_seed(kstore *s, kerr *err)
{
    char mark[8], date[11];
    kerr probe;
    kevent today, past[COUNT(past_events)];
    int ret = kstore_setting_get(s, DEMO_MARK, mark, sizeof mark, &probe);
    if (ret == 0)
        return 0;                           /* seeded before: nothing to add */
    if (ret != KERR_NOTFOUND) {
        if (err)
            *err = probe;
        return ret;
    }
    ret = kstore_batch_begin(s, err);
    if (ret)
        return ret;
    ret = kstore_event_add(s, "Community Workshop (demo)", "general", NULL,
                           &today, err);
    for (int i = 0; i < COUNT(past_events) && ret == 0; i++) {
        days_before(today.date, past_events[i].days_ago, date);
        ret = kstore_event_add(s, past_events[i].name, past_events[i].program,
                               date, &past[i], err);
    }
    if (ret == 0)
        ret = seed_people(s, past, COUNT(past_events), err);
    if (ret == 0)
        ret = kstore_event_use(s, today.id, err);
    if (ret == 0)
        ret = kstore_setting_set(s, DEMO_MARK, "1", err);
    if (ret == 0)
        ret = kstore_batch_commit(s, err);
    if (ret)
        kstore_batch_rollback(s);
    return ret;
}

/* Adds n generated people for benchmarks, DEMO_BATCH per transaction,
 * signed up at the current event (or a "Benchmark people (demo)" event). */
int kdemo_people(kstore *s, int n, unsigned seed, kerr *err)
{
    uint64_t st = 0x9E3779B97F4A7C15ULL ^ seed;
    kevent ev;
    kperson p;
    kerr probe;
    int ret = kstore_event_current(s, &ev, &probe);
    if (ret == KERR_NOTFOUND)
        ret = kstore_event_add(s, "Benchmark people (demo)", "general", NULL,
                               &ev, err);
    else if (ret && err)
        *err = probe;
    for (int done = 0; ret == 0 && done < n;) {
        int end = done + DEMO_BATCH < n ? done + DEMO_BATCH : n;
        ret = kstore_batch_begin(s, err);
        for (; ret == 0 && done < end; done++) {
            generate(&st, &p);
            ret = kstore_signup(s, &p, ev.id, err);
        }
        if (ret == 0)
            ret = kstore_batch_commit(s, err);
        else
            kstore_batch_rollback(s);
    }
    return ret;
}

/* ---- a year of data (kdemo_fill) --------------------------------------------------- */

/* Events of a seeded year, taken in turn. */
static const past_event year_events[] = {
    {0, "Youth Summer Bootcamp", "youth"},
    {0, "Parent Meeting", "parents"},
    {0, "College Student Group", "students"},
    {0, "Community Workshop", "general"},
    {0, "Citizenship Class", "general"},
    {0, "Elders Lunch", "elders"},
};

#define FILL_WINDOW_MS (4 * 3600 * 1000LL)   /* an event's arrivals */

/* The local time of hh:00 on date (YYYY-MM-DD), in ms. */
static int64_t local_ms(const char *date, int hh)
{
    struct tm tm;
    int y = 1970, m = 1, d = 1;
    memset(&tm, 0, sizeof tm);
    sscanf(date, "%d-%d-%d", &y, &m, &d);
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    tm.tm_hour = hh;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    return t == (time_t)-1 ? 0 : (int64_t)t * 1000;
}

/* Moves the virtual clock to wall time ms (never back). */
static void clock_to(kclock_virtual *vc, int64_t ms)
{
    if (vc && ms - vc->base_wall_ms > vc->now_ms)
        vc->now_ms = ms - vc->base_wall_ms;
}

/* Greatest common divisor. */
static long gcd(long a, long b)
{
    while (b) {
        long t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* What kdemo_fill carries from batch to batch. */
typedef struct filler {
    kstore *s;
    const kdemo_fill_opts *o;
    char (*ids)[KIOSK_ID_HEX + 1];      /* everyone signed up so far */
    long nids;
    long in_batch, done, total;
    uint64_t st;
} filler;

/* Counts one write; commits the batch when it is full.  0 or a KERR_ code. */
static int fill_count(filler *f, kerr *err)
{
    f->done++;
    if (++f->in_batch < KDEMO_BATCH)
        return 0;
    f->in_batch = 0;
    int ret = kstore_batch_commit(f->s, err);
    if (ret == 0 && f->o->progress && f->o->progress(f->o->progress_ctx, f->done, f->total))
        ret = kerr_set(err, KERR_INVALID, "demo seed stopped after %ld of %ld records",
                       f->done, f->total);
    if (ret == 0)
        ret = kstore_batch_begin(f->s, err);
    return ret;
}

/* One event's check-ins: fresh new people, then back returning ones
 * (distinct: a stride through those signed up before, coprime with their
 * number), spread over the event's window. */
static int fill_event(filler *f, const kevent *ev, long fresh, long back, kerr *err)
{
    kclock_virtual *vc = f->o->vclock;
    long n = fresh + back, i = 0;
    int64_t end = 0, step = 0;
    if (vc) {
        int64_t now = f->o->now_ms ? f->o->now_ms : vc->base_wall_ms + vc->now_ms;
        end = local_ms(ev->date, 21);
        if (end > now || end == 0)
            end = now;
        step = n > 0 ? FILL_WINDOW_MS / n : 0;
    }
    long before = f->nids, start = 0, stride = 1;
    if (back > 0) {
        start = (long)(demo_rand(&f->st) % (uint32_t)before);
        stride = 1 + (long)(demo_rand(&f->st) % (uint32_t)before);
        while (gcd(stride, before) != 1)
            stride++;
    }
    int ret = 0;
    for (long b = 0, k = 0; ret == 0 && i < n; i++) {
        /* new and returning people arrive mixed, as at the door */
        int is_new = k < fresh && (b >= back || (i * fresh) / n >= k);
        if (vc)
            clock_to(vc, end - FILL_WINDOW_MS + (int64_t)i * step);
        if (is_new) {
            kperson p;
            generate(&f->st, &p);
            ret = kstore_signup(f->s, &p, ev->id, err);
            if (ret == 0)
                memcpy(f->ids[f->nids++], p.id, sizeof f->ids[0]);
            k++;
        } else {
            long who = (long)((start + (int64_t)b * stride) % before);
            ret = kstore_checkin(f->s, f->ids[who], ev->id, err);
            b++;
        }
        if (ret == 0)
            ret = fill_count(f, err);
    }
    return ret;
}

/* Fills the store with a year of generated data (see demo.h). */
int kdemo_fill(kstore *s, const kdemo_fill_opts *o, kdemo_fill_result *res, kerr *err)
{
    if (res)
        memset(res, 0, sizeof *res);
    if (!s || !o)
        return kerr_set(err, KERR_INVALID, "kdemo_fill: store and options are required");
    long people = o->people, checkins = o->checkins;
    if (people < 1 || people > KDEMO_FILL_MAX || checkins > KDEMO_FILL_MAX)
        return kerr_set(err, KERR_INVALID, "--people must be 1 to %ld and --checkins at "
                        "most %ld", (long)KDEMO_FILL_MAX, (long)KDEMO_FILL_MAX);
    if (checkins < people)
        return kerr_set(err, KERR_INVALID, "--checkins %ld is less than --people %ld: each "
                        "person signs up at an event, which is a check-in", checkins, people);
    long events = o->events > 0 ? o->events : (checkins + people - 1) / people;
    if (o->events < 0 || events > KDEMO_FILL_EVENTS_MAX)
        return kerr_set(err, KERR_INVALID, "--events must be 1 to %d",
                        KDEMO_FILL_EVENTS_MAX);
    if (checkins > people * events)
        return kerr_set(err, KERR_INVALID, "--checkins %ld is more than --people %ld times "
                        "--events %ld: a person checks in once an event", checkins, people,
                        events);
    filler f = {s, o, calloc((size_t)people, sizeof *f.ids), 0, 0, 0, checkins,
                0x5EEDDA7AULL ^ ((uint64_t)o->seed << 17)};
    if (!f.ids)
        return kerr_set(err, KERR_INTERNAL, "demo seed: out of memory for %ld people",
                        people);
    char today[11], date[11];
    kevent ev;
    memset(&ev, 0, sizeof ev);
    time_t now = o->now_ms ? (time_t)(o->now_ms / 1000)
                 : o->vclock ? (time_t)((o->vclock->base_wall_ms + o->vclock->now_ms) / 1000)
                             : time(NULL);
    struct tm tm;
    if (!localtime_r(&now, &tm) || strftime(today, sizeof today, "%Y-%m-%d", &tm) != 10)
        snprintf(today, sizeof today, "1970-01-01");
    int ret = kstore_batch_begin(s, err);
    long left_people = people, left_checkins = checkins;
    for (long e = 0; ret == 0 && e < events; e++) {
        const past_event *pe = &year_events[e % COUNT(year_events)];
        long days_ago = events > 1 ? (events - 1 - e) * 365 / events : 0;
        char name[KIOSK_EVENT_NAME_BYTES];
        snprintf(name, sizeof name, "%s (demo %ld)", pe->name, e + 1);
        days_before(today, (int)days_ago, date);
        kevent_spec spec = {name, pe->program, date, NULL, NULL};
        ret = kstore_event_add2(s, &spec, &ev, err);
        if (ret)
            break;
        /* this event's share, and how many of it are new people: enough
         * that the later events can still take everyone left, no more
         * returning ones than have signed up */
        long left_events = events - e;
        long q = (left_checkins + left_events - 1) / left_events;
        long fut = left_checkins - q;                      /* check-ins after this one */
        long want = (left_people + left_events - 1) / left_events;
        long lo = q - f.nids > left_people - fut ? q - f.nids : left_people - fut;
        long hi = q < left_people ? q : left_people;
        long fresh = want < lo ? lo : want > hi ? hi : want;
        if (fresh < 0 || fresh > q || q - fresh > f.nids) {
            ret = kerr_set(err, KERR_INTERNAL, "demo seed: cannot share %ld check-ins "
                           "among %ld events", left_checkins, left_events);
            break;
        }
        ret = fill_event(&f, &ev, fresh, q - fresh, err);
        left_people -= fresh;
        left_checkins -= q;
        if (res && ret == 0) {
            res->events++;
            res->people += fresh;
            res->checkins += q;
        }
    }
    if (ret == 0)
        ret = kstore_event_use(s, ev.id, err);
    if (ret == 0)
        ret = kstore_batch_commit(s, err);
    else
        kstore_batch_rollback(s);
    if (ret == 0 && res)
        res->current = ev;
    free(f.ids);
    return ret;
}
