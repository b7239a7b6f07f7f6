package synthetic

// This file holds the fixed word lists the generator draws from. They are
// read-only data: nothing ever appends to or reorders them.

// functionWords are the most frequent English words, roughly in frequency
// order; they take the head of the Zipf distribution as in real prose.
var functionWords = []string{
	"the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by",
	"on", "not", "this", "are", "or", "from", "at", "which", "have", "an", "were", "has", "but",
	"their", "they", "been", "had", "we", "there", "can", "all", "more", "one", "would", "also",
	"other", "its", "when", "who", "these", "will", "what", "if", "our", "into", "about", "than",
	"some", "may", "so", "them", "there", "how", "should", "no", "could", "such", "those", "any",
	"between", "where", "after", "most", "through", "being", "over", "within", "each", "both",
	"while", "because", "did", "do", "does", "many", "before", "under", "across", "without",
	"during", "same", "very", "well", "only", "much", "then", "us", "you", "i", "he", "she",
	"his", "her", "new", "need", "must", "further", "whether", "against", "around", "often",
}

// domainWords carry the patient-safety flavour of pslhub content.
var domainWords = []string{
	"patient", "safety", "care", "health", "staff", "services", "incident", "risk", "learning",
	"hospital", "clinical", "NHS", "patients", "harm", "report", "system", "trust", "quality",
	"people", "improvement", "review", "investigation", "families", "medication", "organisations",
	"healthcare", "practice", "support", "nurses", "doctors", "culture", "data", "national",
	"guidance", "evidence", "treatment", "concerns", "framework", "incidents", "training",
	"leadership", "board", "outcomes", "team", "teams", "response", "events", "errors", "error",
	"medicines", "primary", "community", "mental", "maternity", "deaths", "death", "avoidable",
	"serious", "reporting", "regulation", "regulator", "inspection", "commissioners", "wards",
	"ward", "emergency", "department", "surgery", "surgical", "diagnosis", "diagnostic", "delays",
	"delay", "communication", "handover", "escalation", "deterioration", "monitoring", "observations",
	"infection", "prevention", "control", "falls", "pressure", "ulcers", "sepsis", "antibiotics",
	"prescribing", "dispensing", "administration", "pharmacist", "pharmacy", "midwives", "midwifery",
	"obstetric", "neonatal", "babies", "mothers", "birth", "stillbirth", "workforce", "staffing",
	"burnout", "wellbeing", "psychological", "speaking", "whistleblowing", "openness", "candour",
	"duty", "complaints", "complaint", "ombudsman", "coroner", "inquest", "prevent", "future",
	"recommendations", "recommendation", "actions", "action", "plan", "implementation", "policy",
	"policies", "procedures", "protocols", "checklist", "equipment", "devices", "device", "alerts",
	"alert", "human", "factors", "ergonomics", "design", "systems", "thinking", "resilience",
	"engagement", "involvement", "partners", "carers", "relatives", "experience", "feedback",
	"consent", "capacity", "safeguarding", "vulnerable", "older", "frailty", "dementia", "children",
	"paediatric", "adults", "learning", "disabilities", "autism", "discharge", "transfer",
	"transitions", "pathway", "pathways", "referral", "general", "practitioners", "ambulance",
	"paramedics", "triage", "waiting", "lists", "backlog", "capacity", "demand", "funding",
	"commissioning", "integrated", "digital", "electronic", "records", "technology",
	"artificial", "intelligence", "software", "interoperability", "cybersecurity", "governance",
	"assurance", "accountability", "compliance", "standards", "audit", "metrics", "indicators",
	"measurement", "variation", "mortality", "morbidity", "readmission", "length", "stay", "cost",
	"litigation", "claims", "compensation", "resolution", "legal", "liability", "negligence",
	"just", "restorative", "blame", "fairness", "psychological", "safety", "behaviour", "civility",
	"bullying", "harassment", "racism", "inequalities", "equity", "diversity", "ethnic", "minority",
	"deprivation", "access", "screening", "cancer", "stroke", "cardiac", "arrest", "resuscitation",
	"anaesthesia", "anaesthetic", "theatre", "operating", "procedure", "invasive", "wrong", "site",
	"retained", "foreign", "object", "misplaced", "nasogastric", "tube", "insulin", "opioids",
	"anticoagulants", "warfarin", "allergy", "allergies", "interaction", "overdose", "dose", "doses",
	"thrombosis", "embolism", "kidney", "injury", "acute", "chronic", "diabetes", "asthma",
	"respiratory", "ventilation", "oxygen", "intensive", "critical", "unit", "beds", "bed",
	"overcrowding", "corridor", "queueing", "handovers", "harmful", "near", "miss", "misses",
	"themes", "trends", "insight", "insights", "analysis", "root", "cause", "swarm", "huddle",
	"debrief", "simulation", "education", "competence", "skills", "supervision", "students",
	"volunteers", "agency", "locum", "shifts", "fatigue", "workload", "pressures", "winter",
	"covid", "pandemic", "vaccination", "vaccine", "PPE", "isolation", "visiting", "remote",
	"consultation", "telehealth", "virtual", "wards", "home", "homes", "domiciliary", "social",
	"hospice", "palliative", "end", "life", "bereavement", "grief", "apology", "transparency",
}

// generalWords are ordinary content words that fill the middle of the
// distribution between the function words and the rare tail.
var generalWords = []string{
	"important", "example", "work", "time", "year", "years", "way", "number", "part", "change",
	"changes", "level", "levels", "process", "processes", "local", "key", "public", "important",
	"current", "different", "significant", "approach", "approaches", "example", "information",
	"use", "used", "using", "made", "make", "making", "found", "find", "identified", "identify",
	"ensure", "ensuring", "provide", "provided", "providing", "develop", "developed", "development",
	"including", "included", "show", "shows", "showed", "shown", "help", "helps", "helped", "known",
	"set", "sets", "given", "given", "take", "taken", "taking", "understand", "understanding",
	"across", "several", "number", "high", "higher", "low", "lower", "early", "late", "long", "short",
	"open", "clear", "real", "whole", "wider", "specific", "particular", "common", "likely", "able",
	"possible", "available", "recent", "previous", "following", "first", "second", "third", "last",
	"next", "main", "major", "minor", "small", "large", "good", "better", "best", "poor", "worse",
	"right", "wrong", "own", "full", "free", "certain", "simple", "complex", "difficult", "easy",
	"problem", "problems", "issue", "issues", "question", "questions", "answer", "reason", "reasons",
	"result", "results", "impact", "impacts", "effect", "effects", "role", "roles", "area", "areas",
	"group", "groups", "member", "members", "organisation", "service", "country", "region", "world",
	"government", "minister", "parliament", "committee", "chief", "executive", "director", "officer",
	"manager", "managers", "leaders", "colleagues", "person", "individual", "individuals", "family",
	"story", "stories", "voice", "voices", "view", "views", "opinion", "interview", "blog", "article",
	"week", "month", "months", "day", "days", "today", "now", "still", "already", "again", "always",
	"never", "sometimes", "perhaps", "however", "therefore", "although", "instead", "rather",
	"particularly", "especially", "significantly", "currently", "recently", "increasingly",
	"published", "publish", "launched", "announced", "called", "asked", "said", "says", "told",
	"described", "explained", "highlighted", "suggested", "noted", "argued", "warned", "welcomed",
	"agreed", "concluded", "considered", "compared", "reduced", "increased", "improved", "improve",
	"reduce", "increase", "address", "addressed", "tackle", "focus", "focused", "based", "led",
	"lead", "leading", "working", "worked", "works", "looking", "look", "looked", "see", "seen",
	"think", "thought", "feel", "felt", "want", "wanted", "know", "knew", "believe", "hope",
	"important", "lessons", "lesson", "opportunity", "opportunities", "challenge", "challenges",
	"success", "failure", "failures", "gap", "gaps", "barrier", "barriers", "enabler", "priority",
	"priorities", "strategy", "strategic", "programme", "programmes", "project", "projects", "model",
	"models", "tool", "tools", "resource", "resources", "network", "networks", "partnership",
	"collaboration", "conversation", "conversations", "discussion", "meeting", "conference",
	"webinar", "survey", "study", "studies", "research", "researchers", "findings", "paper",
	"journal", "authors", "method", "methods", "sample", "participants", "interviews", "themes",
	"rate", "rates", "percentage", "proportion", "total", "average", "figures", "statistics",
}

// abbreviation pairs a thesaurus short form with its expansion. The
// generator writes either form, so both the thesaurus and plain matching
// get exercised.
type abbreviation struct {
	Short, Long string
}

// abbreviations are entries of the patient-safety thesaurus
// (indexer/thesaurus.yaml), roughly most frequent first.
var abbreviations = []abbreviation{
	{"PSIRF", "Patient Safety Incident Response Framework"},
	{"CQC", "Care Quality Commission"},
	{"NHSE", "NHS England"},
	{"GP", "general practitioner"},
	{"ICU", "intensive care unit"},
	{"ED", "emergency department"},
	{"HSSIB", "Health Services Safety Investigations Body"},
	{"LFPSE", "Learn from Patient Safety Events"},
	{"RCA", "root cause analysis"},
	{"SI", "serious incident"},
	{"AKI", "acute kidney injury"},
	{"VTE", "venous thromboembolism"},
	{"NEWS2", "National Early Warning Score"},
	{"NatPSA", "National Patient Safety Alert"},
	{"PSII", "Patient Safety Incident Investigation"},
	{"NICE", "National Institute for Health and Care Excellence"},
	{"MHRA", "Medicines and Healthcare products Regulatory Agency"},
	{"WHO", "World Health Organization"},
	{"AAR", "after action review"},
	{"ICS", "Integrated Care System"},
	{"ICB", "Integrated Care Board"},
	{"HSIB", "Healthcare Safety Investigation Branch"},
	{"DVT", "deep vein thrombosis"},
	{"HCAI", "healthcare associated infection"},
	{"PU", "pressure ulcer"},
	{"DoC", "duty of candour"},
	{"PSS", "Patient Safety Specialist"},
	{"GMC", "General Medical Council"},
	{"NMC", "Nursing and Midwifery Council"},
	{"PHSO", "Parliamentary and Health Service Ombudsman"},
	{"MNSI", "Maternity and Newborn Safety Investigations"},
	{"EHR", "electronic health record"},
}

// neverEventPhrases are multi-word thesaurus phrases without a short form.
var neverEventPhrases = []string{
	"never event", "never events", "wrong site surgery", "retained foreign object",
	"misplaced nasogastric tube", "just culture", "duty of candour", "human factors",
	"safety culture", "near miss",
}

// rootMorphs and suffixMorphs build the rare tail of the vocabulary: real
// looking medical and general words ("cardiology", "neurotomy"…), so the
// term dictionary has a long tail without random letter noise.
var rootMorphs = []string{
	"card", "neur", "gastr", "hepat", "nephr", "pulmon", "derm", "oste", "haem", "immun", "cyt",
	"arthr", "angi", "bronch", "col", "crani", "cyst", "encephal", "endocrin", "enter", "fibr",
	"gluc", "gynae", "hist", "lymph", "mamm", "my", "ocul", "onc", "ophthalm", "ot", "path",
	"ped", "pharm", "phleb", "pneum", "psych", "radi", "ren", "rhin", "scler", "spin", "splen",
	"stom", "thorac", "thromb", "thyr", "tox", "trache", "ur", "vas", "ven", "audit", "govern",
	"regul", "commiss", "organ", "manag", "communic", "educ", "evalu", "document", "integr",
	"coordin", "prescrib", "monitor", "escal", "report", "investig", "anticip", "mitig",
}

var suffixMorphs = []string{
	"ology", "ologist", "itis", "osis", "ectomy", "otomy", "al", "ic", "ical", "ous", "ation",
	"ations", "ment", "ments", "ive", "ively", "er", "ers", "ing", "ed", "ity", "ism", "ist",
	"ogram", "ography", "opathy", "aemia", "uria", "plasty", "scopy",
}

var prefixMorphs = []string{
	"", "pre", "post", "re", "non", "inter", "intra", "sub", "hyper", "hypo", "multi", "peri",
	"anti", "micro", "poly",
}

// Taxonomy values (ips-markup.md §11), most frequent first. The weights
// beside each list give a skewed distribution: UK and Everyone dominate, as
// on the real hub.
var (
	regions       = []string{"UK", "England", "USA", "Scotland", "Ireland", "Wales", "Europe", "Australia", "Global", "Northern Ireland", "Canada", "New Zealand", "International"}
	regionWeights = []float64{55, 12, 7, 5, 4, 3, 3, 3, 2, 2, 2, 1, 1}

	contentTypes       = []string{"Reports and articles", "Blogs", "News", "Guides", "Research", "Personal stories", "Case studies", "Interviews", "Toolkits", "Standards and guidance", "Webinars", "Videos", "Podcasts", "Events", "Consultations"}
	contentTypeWeights = []float64{35, 15, 15, 6, 6, 4, 3, 3, 3, 3, 2, 2, 1, 1, 1}

	audiences       = []string{"Everyone", "Healthcare professionals", "Patient safety leads", "Patients and public", "Board members", "Nurses", "Doctors", "Policy makers", "Researchers", "Midwives", "Pharmacists", "Families and carers", "Managers", "Allied health professionals", "Patients", "Care home staff", "Students"}
	audienceWeights = []float64{60, 10, 6, 5, 3, 3, 2, 2, 2, 1.5, 1.5, 1, 1, 0.8, 0.6, 0.6, 0.5}
)

// topics is the long tail of topic tags, most frequent first.
var topics = []string{
	"PSIRF", "Medication safety", "Maternity", "Safety culture", "Human factors", "Sepsis",
	"Diagnostic error", "Never events", "Patient engagement", "Mental health", "Leadership",
	"Staff wellbeing", "Covid-19", "Investigations", "Falls", "Deterioration", "Communication",
	"Learning from incidents", "Incident reporting", "Regulation", "Speaking up", "Digital health",
	"Primary care", "Emergency care", "Surgery", "Infection prevention", "Pressure ulcers",
	"Duty of candour", "Workforce", "Safeguarding", "Older people", "Children and young people",
	"Learning disabilities", "Discharge", "Health inequalities", "Just culture", "Complaints",
	"Patient experience", "Quality improvement", "Clinical governance", "Medical devices",
	"Prescribing", "Handover", "Staffing levels", "Bullying and harassment", "Burnout",
	"Neonatal care", "Stillbirth", "Obstetrics", "Dementia", "Frailty", "End of life care",
	"Cancer", "Stroke", "Cardiac arrest", "Resuscitation", "Anaesthesia", "Theatres",
	"Wrong site surgery", "Retained foreign objects", "Nasogastric tubes", "Insulin", "Opioids",
	"Anticoagulants", "Allergies", "AKI", "VTE", "NEWS2", "LFPSE", "HSSIB", "NatPSA",
	"Root cause analysis", "After action review", "Simulation", "Education and training",
	"Competence", "Agency staff", "Fatigue", "Winter pressures", "Waiting lists", "Ambulance services",
	"Corridor care", "Overcrowding", "Virtual wards", "Telehealth", "Artificial intelligence",
	"Electronic patient records", "Interoperability", "Cybersecurity", "Data quality", "Audit",
	"Mortality", "Readmissions", "Litigation", "Compensation", "Ombudsman", "Coroners",
	"Prevention of future deaths", "Inquests", "Public inquiries", "Patient safety specialists",
	"Freedom to Speak Up", "Whistleblowing", "Racism", "Equality and diversity", "Deprivation",
	"Screening", "Vaccination", "PPE", "Visiting", "Isolation", "Social care", "Care homes",
	"Domiciliary care", "Hospices", "Palliative care", "Bereavement", "Apologies", "Transparency",
	"Open disclosure", "Restorative practice", "Psychological safety", "Civility", "Teamwork",
	"Checklists", "WHO surgical safety checklist", "Escalation", "Observations", "Triage",
	"Referrals", "Pathways", "Integrated care systems", "Commissioning", "Funding",
	"Board assurance", "Metrics", "Measurement", "Variation", "Guidelines", "NICE guidance",
	"MHRA", "CQC", "GMC", "NMC", "Coroner reports", "Consent", "Mental capacity", "Autism",
	"Paediatrics", "Intensive care", "Respiratory", "Diabetes", "Asthma", "Kidney", "Thrombosis",
	"Pharmacy", "Dispensing errors", "Look-alike sound-alike medicines", "Transitions of care",
	"Self-harm", "Suicide prevention", "Eating disorders", "Rare diseases",
}

// categories are pslhub Learn database categories (URL paths).
var categories = []string{
	"patient-safety-learning", "patient-safety-in-health-and-care/medication",
	"investigations-risk-management-and-legal-issues/investigations-and-complaints",
	"improving-patient-safety/human-factors-improving-human-performance-in-care-delivery",
	"culture/occupational-health-and-safety", "coronavirus-covid19",
	"organisations-linked-to-patient-safety-uk-and-beyond/international-patient-safety",
	"organisations-linked-to-patient-safety-uk-and-beyond/regulators-and-their-regulations",
	"patient-safety-in-health-and-care/conditions", "improving-patient-safety/design-for-safety",
	"leadership-for-patient-safety", "patient-engagement", "news-and-events",
}

// organisations publish most articles; Patient Safety Learning dominates.
var organisations = []string{
	"Patient Safety Learning", "NHS England", "HSSIB", "Care Quality Commission", "The King's Fund",
	"Nuffield Trust", "The Health Foundation", "BMJ", "NICE", "MHRA", "Royal College of Nursing",
	"Royal College of Physicians", "Royal College of Midwives", "GMC", "NMC",
	"Parliamentary and Health Service Ombudsman", "World Health Organization", "Healthwatch England",
	"NHS Resolution", "Institute for Healthcare Improvement", "AHRQ PSNet", "Scottish Government",
	"Welsh Government", "HSE Ireland", "Department of Health and Social Care", "NHS Providers",
	"NHS Confederation", "Action against Medical Accidents", "Sepsis Trust", "Kidney Care UK",
	"Academy of Medical Royal Colleges", "Royal Pharmaceutical Society", "Nursing Times", "HSJ",
	"The Guardian", "BBC News", "ITV News", "Independent", "Telegraph", "Pulse",
}

var firstNames = []string{
	"Sarah", "James", "Helen", "David", "Claire", "Mark", "Emma", "Paul", "Rachel", "Andrew",
	"Laura", "Michael", "Jane", "Peter", "Lucy", "Richard", "Anna", "John", "Kate", "Simon",
	"Judy", "Tracey", "Aidan", "Priya", "Amir", "Fiona", "Gareth", "Siobhan", "Niamh", "Olu",
}

var lastNames = []string{
	"Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
	"Johnson", "Roberts", "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards",
	"Green", "Hall", "Herlihey", "Patel", "Khan", "O'Brien", "Murphy", "Campbell", "Kelly",
	"Shah", "Morgan", "Okafor",
}
