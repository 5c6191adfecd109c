#pragma once

// Folding of British and American English spellings to one form (the American one), applied to
// lowercase words before stemming, so that "defence" and "defense" become one term.
//
// The rules, in order (the first that applies wins):
//  1. A table of whole words: defence/defense, offence, licence, pretence, programme(s),
//     catalogue(s), dialogue(s), analogue(s), cheque(s), grey, aluminium, sceptic(al|s|ism),
//     manoeuvre(s|d), manoeuvring, plough, mould, kerb, tyre(s), pyjamas, ageing, judgement,
//     acknowledgement, enrolment, fulfil(ment), skilful, wilful, practise(d|s), practising,
//     marvellous, woollen, jewellery, and the ae/oe words (paediatric, anaemia, anaesthetic,
//     haemorrhage, leukaemia, foetus, oesophagus, oestrogen, diarrhoea, encyclopaedia,
//     orthopaedic), each with its plural where there is one.
//  2. -ise/-ize: words ending in -ise, -ised, -ises, -ising, -iser(s), -isation(s) (and -yse,
//     -ysed, -yses, -ysing) take z, when at least three letters precede the suffix and the word
//     is not one spelt -ise in America too (advise, arise, compromise, enterprise, exercise,
//     expertise, franchise, premise, promise, revise, supervise, surprise, televise, wise, ...;
//     endings -wise, -prise, -vise, -guise, -raise, -oise, -uise).
//  3. -our/-or for a list of stems (colour, honour, labour, favour, behaviour, neighbour,
//     harbour, humour, rumour, vapour, flavour, armour, endeavour, savour, parlour, rigour,
//     vigour, valour, odour, splendour, tumour, fervour, clamour, candour, ardour, saviour), as a
//     prefix: "favourite" -> "favorite".
//  4. -re/-er for a list of stems (centre, theatre, metre, litre, fibre, calibre, sombre, lustre,
//     spectre, meagre, sabre, kilometre, centimetre, millimetre): the word, +s, +d (-> +ed) and
//     -ring (centring -> centering).
//  5. Doubled l before -ed, -ing, -er, -ers for a list of stems (travel, cancel, label, model,
//     fuel, signal, level, counsel, channel, total, marshal, dial, duel, equal, rival, tunnel,
//     pedal, panel, quarrel, shovel, jewel, libel, marvel, grovel, kennel, parcel, pencil, swivel,
//     towel, unravel, refuel, barrel, funnel, gravel, spiral, stencil): "travelled" -> "traveled".
// Hyphenated prefixes (anti-, co-, pre-, non-, re-) are joined by the news analyzer before this
// step ("co-operation" -> "cooperation"). Other words are returned unchanged.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace newsim {

/// The American spelling of a lowercase word, or the word itself. O(length).
std::string fold_spelling(std::string_view word);

/// Pairs (British, American) that the rules above fold to one form; the tests check each one.
const std::vector<std::pair<std::string, std::string>>& spelling_variant_examples();

}  // namespace newsim
