"""What a sentence says an actor decided: accepted, rejected, or not yet, read from spaCy's parse.

Outcome verbs come in general classes of English, not words picked from any article:

- assent: accept, agree, approve, endorse, ratify, adopt, pass, confirm ... ("yes");
- refusal: reject, refuse, deny, veto, decline, rebuff, block, fail ... ("no");
- deliberation in progress: "is considering", "is weighing", "is reviewing" ("pending");
- a response verb that has not happened yet: "has yet to respond", "has not decided" ("pending").

An assent verb under negation ("did not accept") is "not": compatible with a refusal or a
pending decision, but not with an assent. A negated refusal ("did not reject") says too little
to compare and is left out, as are hypothetical outcomes ("may reject", "if Hamas accepts",
"urged Hamas to accept"): only what a sentence reports as having happened is an outcome.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain import Outcome

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

ASSENT = frozenset({"accept", "agree", "approve", "endorse", "ratify", "adopt", "pass", "confirm", "sign",
                    "embrace", "consent", "uphold", "greenlight", "authorize", "authorise"})
REFUSAL = frozenset({"reject", "refuse", "deny", "veto", "decline", "rebuff", "spurn", "block", "fail",
                     "dismiss", "overturn", "oppose"})
DELIBERATION = frozenset({"consider", "weigh", "review", "study", "mull", "deliberate", "ponder", "discuss"})
RESPONSE = frozenset({"respond", "reply", "answer", "decide", "rule", "vote", "act"})
# Words that make the clause under them a wish, a demand or a condition rather than a report.
_HYPOTHETICAL_MARKS = frozenset({"if", "unless", "whether", "until", "once", "before"})
_MODALS = frozenset({"may", "might", "could", "would", "should", "can", "will", "must", "shall", "ought"})
_PRONOUNS = frozenset({"it", "they", "he", "she", "we", "i", "you", "who", "which", "that", "this", "them"})
# Verbs whose subject is what was decided on when they have no object: "the bill passed".
_THEME_SUBJECT = frozenset({"pass", "fail"})


def outcomes(span: Span) -> tuple[Outcome, ...]:
    """Every outcome the sentence reports, in order of the verbs."""
    found = []
    for token in span:
        if token.pos_ not in ("VERB", "AUX") or _governed(token) or _hypothetical(token):
            continue
        stance = _stance(token)
        if stance is None:
            continue
        agents, theme = _roles(token)
        found += [Outcome(agent, stance, theme, _verb_phrase(token)) for agent in agents]
    return tuple(dict.fromkeys(found))


def _stance(token: Token) -> str | None:
    """yes / no / not / pending, or None when the verb reports no outcome."""
    lemma = token.lemma_.lower()
    negated = _negated(token)
    if _yet_to(token) or _not_yet(token):
        return "pending" if lemma in ASSENT | REFUSAL | RESPONSE | DELIBERATION else None
    if lemma in RESPONSE:
        # "has not responded": no answer yet; "responded" alone says nothing about which answer.
        return "pending" if negated else None
    if lemma in DELIBERATION:
        # Only deliberation still going on: "is considering"; "considered" may be over and done.
        progressive = token.tag_ == "VBG" and any(c.dep_ == "aux" and c.lemma_ == "be" for c in token.children)
        return "pending" if progressive and not negated else None
    if lemma in REFUSAL:
        return None if negated else _refusal(token)
    if lemma in ASSENT:
        return "not" if negated else "yes"
    return None


def _refusal(token: Token) -> str | None:
    """A refusal verb with an infinitive is read through it. "refused to accept" is a refusal;
    "declined to respond", "failed to rule" say no answer came ("pending"); "failed to pass" is
    "not" passing; "failed to" anything else is not a decision at all."""
    inner = next((c for c in token.children if c.dep_ == "xcomp"), None)
    if inner is None:
        return "no"
    lemma = inner.lemma_.lower()
    if lemma in RESPONSE | DELIBERATION:
        return "pending"
    if token.lemma_.lower() == "fail":
        return "not" if lemma in ASSENT else None
    return "no"


def conflicting(a: str, b: str) -> bool:
    """Can both stances be true of one actor and one thing? "not" agrees with "no" and "pending"."""
    return (a != b and "yes" in (a, b)) or {a, b} == {"no", "pending"}


def _governed(token: Token) -> bool:
    """An outcome verb under another one is read through it: "refused to pass", "agreed to accept";
    one in a clause that is denied ("denied that it had rejected") is not asserted at all. A clause
    that is confirmed or reported ("confirmed that Israel has agreed") stays an outcome."""
    head = token.head
    if head is token:
        return False
    lemma = head.lemma_.lower()
    return (token.dep_ == "xcomp" and lemma in ASSENT | REFUSAL | RESPONSE | DELIBERATION
            or token.dep_ == "ccomp" and lemma in REFUSAL)


def _hypothetical(token: Token) -> bool:
    """A wished-for, demanded, conditional or future outcome is not one that happened."""
    for t in [token, *_clause_heads(token)]:
        if any(c.dep_ == "aux" and c.lower_ in _MODALS for c in t.children):
            return True
        if any(c.dep_ == "mark" and c.lower_ in _HYPOTHETICAL_MARKS for c in t.children):
            return True
    # An infinitive not governed by an outcome verb is wished for or expected: "urged Hamas to
    # accept", "is expected to approve" ("has yet to" is read by _yet_to, not here).
    infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children)
    return infinitive and not _yet_to(token)


def _clause_heads(token: Token) -> list[Token]:
    """Verbs this one is coordinated with ("reviewed and rejected"): they share its modal and mark."""
    heads, t = [], token
    while t.dep_ == "conj" and t.head is not t:
        t = t.head
        heads.append(t)
    return heads


def _negated(token: Token) -> bool:
    own = [token, *_clause_heads(token)]
    if token.dep_ == "xcomp":
        own.append(token.head)
    return any(c.dep_ == "neg" or c.lower_ in ("never", "not") for t in own for c in t.children)


def _yet_to(token: Token) -> bool:
    """"has yet to respond", "is yet to decide"."""
    head = token.head
    return (token.dep_ == "xcomp" and head.lemma_ in ("have", "be")
            and any(c.lower_ == "yet" for c in head.children))


def _not_yet(token: Token) -> bool:
    """"has not yet accepted": an outcome still to come."""
    return _negated(token) and any(c.lower_ == "yet" for c in token.children)


def _roles(token: Token) -> tuple[list[str], str]:
    """Who decided (one per coordinated subject; none known: [""]) and on what."""
    # An infinitive, a coordinated verb and a participle phrase ("..., refusing the request")
    # share the subject of the verb they hang from.
    borrows = token.dep_ in ("xcomp", "conj") or token.dep_ == "advcl" and token.tag_ in ("VBG", "VBN") and not any(
        c.dep_ == "mark" for c in token.children)
    verb = token.head if borrows and not _subjects(token) else token
    subjects = _subjects(token) or _subjects(verb)
    if not subjects:
        return [], ""  # a gerund or a bare clause ("accepting the offer would ..."): no one decided yet
    objects = [c for c in token.children if c.dep_ in ("dobj", "xcomp", "ccomp")]
    objects += [g for c in token.children if c.dep_ == "prep" and c.lower_ in ("to", "on", "with")
                for g in c.children if g.dep_ == "pobj" and g.ent_type_ not in ("DATE", "TIME")]
    agents = [s for s in subjects if s.dep_ != "nsubjpass"]
    passive = [s for s in subjects if s.dep_ == "nsubjpass"]
    if passive:
        # "The bill was passed by the House": the subject is what was decided, the agent who.
        objects = passive + objects
        agents = [g for c in token.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
    elif token.lemma_.lower() in _THEME_SUBJECT and not objects:
        objects, agents = agents, []
    keys = [_phrase(a) for a in agents if a.lower_ not in _PRONOUNS]
    if agents and not keys:
        return [], ""  # "it rejected": who "it" is needs coreference this pipeline does not have
    return keys or [""], " ".join(_phrase(o, whole=True) for o in objects)


def _subjects(token: Token) -> list[Token]:
    subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
    return subjects + [c for s in subjects for c in s.conjuncts]


def _phrase(token: Token, whole: bool = False) -> str:
    """A subject as its compound name ("Prime Minister Benjamin Netanyahu"); an object as its
    whole subtree, where its specific words are."""
    if whole:
        return " ".join(t.text for t in token.subtree)
    parts = [t for t in token.lefts if t.dep_ in ("compound", "amod") and t.pos_ in ("PROPN", "NOUN", "ADJ")]
    return " ".join([t.text for t in parts] + [token.text])


def _verb_phrase(token: Token) -> str:
    """The verb with its auxiliaries and negation, as written: "has yet to formally respond"."""
    words = [token] + [c for c in token.children if c.dep_ in ("aux", "auxpass", "neg", "xcomp", "prt")]
    if token.dep_ == "xcomp":
        words += [token.head] + [c for c in token.head.children if c.dep_ in ("aux", "neg") and c.i < token.i]
    lo, hi = min(t.i for t in words), max(t.i for t in words)
    return token.doc[lo:hi + 1].text if hi - lo < 8 else token.text
