#pragma once

// Keys under which spelling variants of (transliterated) names meet: "Sergei"/"Sergey",
// "Gaddafi"/"Qaddafi"/"Kadhafi"/"Gadhafi", "Aleksandr"/"Alexander", "Mohammed"/"Muhammad".
//
// name_key() applies, to each word of a name:
//  1. Unicode NFKD with combining marks dropped (ASCII folding of accented Latin letters:
//     "Schröder" -> "schroder"; also ß -> ss, æ -> ae, ø -> o, ł -> l, đ -> d), lowercase.
//  2. Letter rules, left to right: "ye" at the start -> "e" (Yevgeny/Evgeny), x -> ks,
//     q -> k, ck -> k, ph -> f, w -> v, y -> i, "ou" -> "u", o -> u ("Mohammed"/"Muhammad",
//     "Osama"/"Usama"), "oe" -> "o" (Schroeder/Schröder), h after a consonant is dropped
//     (Kadhafi, Mikhail, Thomas), g or k at the start -> k (Gaddafi/Kaddafi).
//  3. Doubled letters collapse to one (Qaddafi, Rasmussen, Dmitriy -> dmitri).
//  4. Endings: consonant + "ed" -> consonant + "ad" (Mohammed/Muhammad, Ahmed/Ahmad), and "der"
//     or "ter" at the end -> "dr"/"tr" (Alexander/Aleksandr, Peter/Petr).
// Words of other scripts are only lowercased. Words are joined with one space.
//
// Names that stay distinct (tested): Obama/Osama, Putin/Patin, Paris/Parks, Iran/Iraq,
// Kenya/Ghana, Austria/Australia, Merkel/Markel, Bush/Bash, Lavrov/Lavrova, Sarkozy/Sarkisian.
// Known collisions (by design of the rules above): names differing only in o/u (Boris/Burris),
// in a leading g/k/q (Gates/Kates), by a doubled letter (Patten/Paten), or in h after a
// consonant (Thomas/Tomas, Shaw/Saw).

#include <string>
#include <string_view>

namespace newsim {

/// The variant key of a name given in UTF-8 (one or more words separated by spaces, hyphens or
/// apostrophes); "" when it has no letters or digits. O(length).
std::string name_key(std::string_view name);

/// The variant key of one lowercase-or-not word (no separators). O(length).
std::string name_word_key(std::string_view word);

}  // namespace newsim
