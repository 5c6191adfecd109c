#include "newsim/spelling.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace newsim {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

const std::unordered_map<std::string_view, std::string_view>& word_table() {
  static const std::unordered_map<std::string_view, std::string_view> table = {
      {"defence", "defense"}, {"defences", "defenses"}, {"offence", "offense"},
      {"offences", "offenses"}, {"licence", "license"}, {"licences", "licenses"},
      {"pretence", "pretense"}, {"pretences", "pretenses"}, {"programme", "program"},
      {"programmes", "programs"}, {"catalogue", "catalog"}, {"catalogues", "catalogs"},
      {"catalogued", "cataloged"}, {"dialogue", "dialog"}, {"dialogues", "dialogs"},
      {"analogue", "analog"}, {"analogues", "analogs"}, {"cheque", "check"},
      {"cheques", "checks"}, {"grey", "gray"}, {"aluminium", "aluminum"},
      {"sceptic", "skeptic"}, {"sceptics", "skeptics"}, {"sceptical", "skeptical"},
      {"scepticism", "skepticism"}, {"manoeuvre", "maneuver"}, {"manoeuvres", "maneuvers"},
      {"manoeuvred", "maneuvered"}, {"manoeuvring", "maneuvering"}, {"plough", "plow"},
      {"ploughs", "plows"}, {"mould", "mold"}, {"moulds", "molds"}, {"kerb", "curb"},
      {"tyre", "tire"}, {"tyres", "tires"}, {"pyjamas", "pajamas"}, {"ageing", "aging"},
      {"judgement", "judgment"}, {"judgements", "judgments"},
      {"acknowledgement", "acknowledgment"}, {"enrolment", "enrollment"},
      {"fulfil", "fulfill"}, {"fulfilment", "fulfillment"}, {"skilful", "skillful"},
      {"wilful", "willful"}, {"practise", "practice"}, {"practised", "practiced"},
      {"practises", "practices"}, {"practising", "practicing"}, {"marvellous", "marvelous"},
      {"woollen", "woolen"}, {"jewellery", "jewelry"}, {"paediatric", "pediatric"},
      {"paediatrician", "pediatrician"}, {"anaemia", "anemia"}, {"anaesthetic", "anesthetic"},
      {"haemorrhage", "hemorrhage"}, {"leukaemia", "leukemia"}, {"foetus", "fetus"},
      {"oesophagus", "esophagus"}, {"oestrogen", "estrogen"}, {"diarrhoea", "diarrhea"},
      {"encyclopaedia", "encyclopedia"}, {"orthopaedic", "orthopedic"},
  };
  return table;
}

// Words spelt -ise (or -yse) in America too, and endings that mark such words.
const std::unordered_set<std::string_view>& ise_exceptions() {
  static const std::unordered_set<std::string_view> words = {
      "advertise", "arise", "chastise", "despise", "expertise", "franchise", "merchandise",
      "treatise", "paradise", "anise", "rise", "practise", "valise", "denise", "louise",
      "elise", "demise", "precise", "concise", "excise", "incise", "exercise", "circumcise",
      "premise", "promise", "compromise", "surmise", "chemise",
  };
  return words;
}

constexpr std::string_view kIseEndings[] = {"wise", "prise", "vise", "guise", "raise", "oise",
                                             "uise"};

// (suffix, replacement) for rule 2, longest first.
constexpr std::pair<std::string_view, std::string_view> kIseSuffixes[] = {
    {"isations", "izations"}, {"isation", "ization"}, {"ysation", "yzation"},
    {"ising", "izing"},       {"isers", "izers"},     {"ysing", "yzing"},
    {"ised", "ized"},         {"ises", "izes"},       {"iser", "izer"},
    {"ysed", "yzed"},         {"yses", "yzes"},       {"ise", "ize"},
    {"yse", "yze"},
};

std::string fold_ise(std::string_view word) {
  for (const auto& [suffix, replacement] : kIseSuffixes) {
    if (!ends_with(word, suffix)) continue;
    const std::string_view stem = word.substr(0, word.size() - suffix.size());
    if (stem.size() < 3) return std::string(word);
    // The base form: stem + "ise" (or "yse").
    std::string base(stem);
    base += suffix[0] == 'y' ? "yse" : "ise";
    if (ise_exceptions().count(base) != 0) return std::string(word);
    for (std::string_view e : kIseEndings) {
      if (ends_with(base, e)) return std::string(word);
    }
    return std::string(stem) + std::string(replacement);
  }
  return std::string(word);
}

constexpr std::string_view kOurStems[] = {
    "colour", "honour", "labour", "favour", "behaviour", "neighbour", "harbour", "humour",
    "rumour", "vapour", "flavour", "armour", "endeavour", "savour", "parlour", "rigour",
    "vigour", "valour", "odour", "splendour", "tumour", "fervour", "clamour", "candour",
    "ardour", "saviour", "dishonour",
};

constexpr std::string_view kReStems[] = {
    "centre", "theatre", "metre", "litre", "fibre", "calibre", "sombre", "lustre", "spectre",
    "meagre", "sabre", "kilometre", "centimetre", "millimetre",
};

constexpr std::string_view kDoubledLStems[] = {
    "travel", "cancel", "label", "model", "fuel", "signal", "level", "counsel", "channel",
    "total", "marshal", "dial", "duel", "equal", "rival", "tunnel", "pedal", "panel",
    "quarrel", "shovel", "jewel", "libel", "marvel", "grovel", "kennel", "parcel", "pencil",
    "swivel", "towel", "unravel", "refuel", "barrel", "funnel", "gravel", "spiral", "stencil",
};

}  // namespace

std::string fold_spelling(std::string_view word) {
  if (word.size() < 4) return std::string(word);
  if (auto it = word_table().find(word); it != word_table().end()) return std::string(it->second);
  for (std::string_view stem : kOurStems) {
    if (word.substr(0, stem.size()) == stem) {
      std::string out(stem.substr(0, stem.size() - 2));
      out += "r";
      out += word.substr(stem.size());
      return out;
    }
  }
  for (std::string_view stem : kReStems) {
    // centre -> center: the stem without its "re", plus "er".
    const std::string american = std::string(stem.substr(0, stem.size() - 2)) + "er";
    if (word == stem) return american;
    const std::string_view rest = word.substr(std::min(word.size(), stem.size()));
    if (word.substr(0, stem.size()) == stem) {
      if (rest == "s") return american + "s";
      if (rest == "d") return american + "ed";
    }
    const std::string_view head = stem.substr(0, stem.size() - 1);  // "centr"
    if (word.size() == head.size() + 3 && word.substr(0, head.size()) == head &&
        ends_with(word, "ing")) {
      return american + "ing";
    }
  }
  for (std::string_view stem : kDoubledLStems) {
    if (word.size() > stem.size() + 1 && word.substr(0, stem.size()) == stem &&
        word[stem.size()] == 'l') {
      const std::string_view rest = word.substr(stem.size() + 1);
      if (rest == "ed" || rest == "ing" || rest == "er" || rest == "ers") {
        return std::string(stem) + std::string(rest);
      }
    }
  }
  return fold_ise(word);
}

const std::vector<std::pair<std::string, std::string>>& spelling_variant_examples() {
  static const std::vector<std::pair<std::string, std::string>> pairs = {
      {"defence", "defense"},       {"defences", "defenses"},     {"offence", "offense"},
      {"licence", "license"},       {"programme", "program"},     {"programmes", "programs"},
      {"catalogue", "catalog"},     {"dialogue", "dialog"},       {"grey", "gray"},
      {"sceptical", "skeptical"},   {"manoeuvre", "maneuver"},    {"judgement", "judgment"},
      {"practise", "practice"},     {"jewellery", "jewelry"},     {"anaemia", "anemia"},
      {"organise", "organize"},     {"organised", "organized"},   {"organising", "organizing"},
      {"organisation", "organization"}, {"organisations", "organizations"},
      {"recognise", "recognize"},   {"criticised", "criticized"}, {"privatisation", "privatization"},
      {"minimise", "minimize"},     {"optimised", "optimized"},
      {"analyse", "analyze"},       {"paralysed", "paralyzed"},   {"organiser", "organizer"},
      {"colour", "color"},          {"colours", "colors"},        {"honour", "honor"},
      {"labour", "labor"},          {"favour", "favor"},          {"favourite", "favorite"},
      {"behaviour", "behavior"},    {"neighbours", "neighbors"},  {"harbour", "harbor"},
      {"centre", "center"},         {"centres", "centers"},       {"centred", "centered"},
      {"theatre", "theater"},       {"metre", "meter"},           {"kilometres", "kilometers"},
      {"fibre", "fiber"},           {"travelled", "traveled"},    {"travelling", "traveling"},
      {"traveller", "traveler"},    {"cancelled", "canceled"},    {"labelled", "labeled"},
      {"modelling", "modeling"},    {"fuelled", "fueled"},        {"signalled", "signaled"},
  };
  return pairs;
}

}  // namespace newsim
