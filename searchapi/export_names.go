package searchapi

import (
	"strings"
	"unicode"
)

// Citation managers sort and abbreviate authors by family name, so RIS
// and BibTeX want people as "Last, First". Hub authors are members (people)
// or organisations; an organisation must stay one literal or it would be
// cited as "Learning, P. S.".

// honorifics are dropped from personal names ("Dr Tracey Herlihey").
var honorifics = map[string]bool{
	"dr": true, "prof": true, "professor": true, "mr": true, "mrs": true, "ms": true,
	"miss": true, "mx": true, "sir": true, "dame": true, "lord": true, "lady": true, "rev": true,
}

// orgWords mark a name as an organisation's.
var orgWords = map[string]bool{
	"nhs": true, "trust": true, "foundation": true, "institute": true, "association": true,
	"society": true, "group": true, "team": true, "network": true, "council": true, "college": true,
	"university": true, "hospital": true, "hospitals": true, "service": true, "services": true,
	"centre": true, "center": true, "commission": true, "agency": true, "department": true,
	"ltd": true, "limited": true, "inc": true, "partnership": true, "board": true, "committee": true,
	"organisation": true, "organization": true, "england": true, "scotland": true, "wales": true,
	"safety": true, "learning": true, "health": true, "care": true, "healthcare": true, "alliance": true,
	"charity": true, "forum": true, "collaborative": true, "programme": true, "program": true,
	"branch": true, "office": true, "authority": true, "ministry": true, "the": true, "of": true, "for": true,
	"and": true, "&": true, "hub": true, "news": true, "editorial": true, "staff": true,
}

// personName splits a personal name into family and given names, dropping
// honorifics. ok is false for what looks like an organisation or a handle:
// an organisation word, digits, one word, or more than four words.
func personName(name string) (family, given string, ok bool) {
	words := strings.Fields(name)
	for len(words) > 0 && honorifics[strings.ToLower(strings.TrimSuffix(words[0], "."))] {
		words = words[1:]
	}
	if len(words) < 2 || len(words) > 4 {
		return "", "", false
	}
	for _, w := range words {
		if orgWords[strings.ToLower(strings.Trim(w, ".,"))] {
			return "", "", false
		}
		for _, r := range w {
			if !unicode.IsLetter(r) && r != '-' && r != '\'' && r != '’' && r != '.' {
				return "", "", false
			}
		}
		if r := []rune(w)[0]; !unicode.IsUpper(r) {
			return "", "", false
		}
	}
	last := len(words) - 1
	return words[last], strings.Join(words[:last], " "), true
}
