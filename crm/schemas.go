package crm

import "strings"

// Built-in object types. Property definitions follow HubSpot's names and types;
// where HubSpot publishes no definition (communications, §5 of the facts) the
// choice is recorded in docs/decisions.md.

func str(name, label string) *PropertyDefinition {
	return &PropertyDefinition{Name: name, Label: label, Type: TypeString, FieldType: "text"}
}

func text(name, label string) *PropertyDefinition {
	return &PropertyDefinition{Name: name, Label: label, Type: TypeString, FieldType: "textarea"}
}

func richText(name, label string) *PropertyDefinition {
	return &PropertyDefinition{Name: name, Label: label, Type: TypeString, FieldType: "html"}
}

func num(name, label string) *PropertyDefinition {
	return &PropertyDefinition{Name: name, Label: label, Type: TypeNumber, FieldType: "number"}
}

func datetime(name, label string) *PropertyDefinition {
	return &PropertyDefinition{Name: name, Label: label, Type: TypeDatetime, FieldType: "date"}
}

func phone(name, label string) *PropertyDefinition {
	return &PropertyDefinition{Name: name, Label: label, Type: TypeString, FieldType: "phonenumber"}
}

func enum(name, label string, values ...string) *PropertyDefinition {
	p := &PropertyDefinition{Name: name, Label: label, Type: TypeEnumeration, FieldType: "select"}
	for i := 0; i+1 < len(values); i += 2 {
		p.Options = append(p.Options, PropertyOption{Value: values[i], Label: values[i+1], DisplayOrder: i / 2})
	}
	return p
}

func readOnly(p *PropertyDefinition) *PropertyDefinition {
	p.ReadOnly = true
	return p
}

// ownerProperties are shared by every type that can be owned.
func ownerProperties() []*PropertyDefinition {
	owner := enum("hubspot_owner_id", "Owner")
	owner.ReferencedObjectType = "OWNER"
	return []*PropertyDefinition{
		owner,
		readOnly(datetime("hubspot_owner_assigneddate", "Owner assigned date")),
		readOnly(&PropertyDefinition{Name: "hs_all_owner_ids", Label: "All owner IDs", Type: TypeEnumeration, FieldType: "checkbox"}),
		readOnly(&PropertyDefinition{Name: "hs_user_ids_of_all_owners", Label: "User IDs of all owners", Type: TypeEnumeration, FieldType: "checkbox"}),
	}
}

// systemProperties are the read-only properties every type carries.
func systemProperties(created, modified string) []*PropertyDefinition {
	return []*PropertyDefinition{
		readOnly(num("hs_object_id", "Record ID")),
		readOnly(datetime(created, "Create date")),
		readOnly(datetime(modified, "Last modified date")),
		readOnly(str("hs_object_source", "Record source")),
		readOnly(str("hs_object_source_id", "Record source ID")),
		readOnly(&PropertyDefinition{Name: "hs_object_source_label", Label: "Record source label", Type: TypeString, FieldType: "text", NotIndexed: true}),
		readOnly(num("hs_created_by_user_id", "Created by user ID")),
		readOnly(num("hs_updated_by_user_id", "Updated by user ID")),
	}
}

func pinned() *PropertyDefinition {
	return num("hs_pinned_engagement_id", "Pinned engagement ID")
}

func build(t *ObjectType, groups ...[]*PropertyDefinition) *ObjectType {
	for _, g := range groups {
		t.Properties = append(t.Properties, g...)
	}
	label := capitalize(strings.ReplaceAll(t.Singular, "_", " ")) + " information"
	t.Groups = []*PropertyGroup{{Name: t.Singular + "information", Label: label, HubSpotDefined: true}}
	for i, p := range t.Properties {
		p.HubSpotDefined = true
		p.DisplayOrder = i
		if p.GroupName == "" {
			p.GroupName = t.Singular + "information"
		}
		if p.Description == "" {
			p.Description = p.Label
		}
	}
	t.index()
	for _, si := range t.ScopedIndexes {
		p, scope := t.Property(si.Property), t.Property(si.Scope)
		if p == nil || p.SearchKind() != KindNumeric || !p.Indexed() ||
			scope == nil || scope.SearchKind() != KindExact || scope.multiValued() || !scope.Indexed() {
			panic("crm: scoped index " + si.Scope + "/" + si.Property + " of " + t.Name + " needs a numeric property and a single-valued enumeration")
		}
	}
	return t
}

// Channel values of hs_communication_channel_type.
const (
	ChannelWhatsApp = "WHATS_APP"
	ChannelLinkedIn = "LINKEDIN_MESSAGE"
	ChannelSMS      = "SMS"
)

// Communications is the communication object (logged WhatsApp, LinkedIn and SMS messages).
func Communications() *ObjectType {
	return engagement(&ObjectType{
		ID: "0-18", Name: "communications", Singular: "communication", Label: "COMMUNICATION",
		Required:      []string{"hs_timestamp", "hs_communication_channel_type"},
		ScopedIndexes: []ScopedIndex{{Property: "hs_timestamp", Scope: "hs_communication_channel_type"}},
		Searchable:    []string{"hs_body_preview"},
		Derivations:   []Derivation{previewOf("hs_communication_body")},
	},
		enum("hs_communication_channel_type", "Channel type",
			ChannelWhatsApp, "WhatsApp", ChannelLinkedIn, "LinkedIn", ChannelSMS, "SMS"),
		enum("hs_communication_logged_from", "Logged from", "CRM", "CRM"),
		richText("hs_communication_body", "Body"),
	)
}

var lifecycleStages = []string{
	"subscriber", "Subscriber", "lead", "Lead", "marketingqualifiedlead", "Marketing Qualified Lead",
	"salesqualifiedlead", "Sales Qualified Lead", "opportunity", "Opportunity", "customer", "Customer",
	"evangelist", "Evangelist", "other", "Other",
}

// Contacts is the contact object.
func Contacts() *ObjectType {
	email := str("email", "Email")
	email.Unique = true
	email.CaseInsensitiveUnique = true
	return build(&ObjectType{
		ID: "0-1", Name: "contacts", Singular: "contact", Label: "CONTACT",
		Defaults: []string{"firstname", "lastname", "email", "createdate", "lastmodifieddate", "hs_object_id"},
		Searchable: []string{"firstname", "lastname", "email", "phone", "mobilephone", "hs_additional_emails", "fax", "company", "hs_whatsapp_phone_number",
			"hs_searchable_calculated_phone_number", "hs_searchable_calculated_mobile_number"},
		Derivations: []Derivation{searchablePhones("phone", "hs_searchable_calculated_phone_number",
			"mobilephone", "hs_searchable_calculated_mobile_number")},
		ReadScopes:        []string{"crm.objects.contacts.read"},
		WriteScopes:       []string{"crm.objects.contacts.write"},
		SchemaReadScopes:  []string{"crm.objects.contacts.read", "crm.schemas.contacts.read"},
		SchemaWriteScopes: []string{"crm.schemas.contacts.write"},
		CreatedProperty:   "createdate",
		ModifiedProperty:  "lastmodifieddate",
	},
		[]*PropertyDefinition{
			email,
			str("firstname", "First Name"),
			str("lastname", "Last Name"),
			phone("phone", "Phone Number"),
			phone("mobilephone", "Mobile Phone Number"),
			phone("fax", "Fax Number"),
			readOnly(str("hs_searchable_calculated_phone_number", "Phone number (area code and local number)")),
			readOnly(str("hs_searchable_calculated_mobile_number", "Mobile phone number (area code and local number)")),
			str("company", "Company Name"),
			str("jobtitle", "Job Title"),
			str("website", "Website URL"),
			str("address", "Street Address"),
			str("city", "City"),
			str("state", "State/Region"),
			str("zip", "Postal Code"),
			str("country", "Country/Region"),
			{Name: "hs_additional_emails", Label: "Additional email addresses", Type: TypeEnumeration, FieldType: "checkbox"},
			str("hs_whatsapp_phone_number", "WhatsApp Phone Number"),
			enum("lifecyclestage", "Lifecycle Stage", lifecycleStages...),
			enum("hs_lead_status", "Lead Status", "NEW", "New", "OPEN", "Open", "IN_PROGRESS", "In Progress",
				"OPEN_DEAL", "Open Deal", "UNQUALIFIED", "Unqualified", "ATTEMPTED_TO_CONTACT", "Attempted to Contact",
				"CONNECTED", "Connected", "BAD_TIMING", "Bad Timing"),
			pinned(),
			mergedIDs(),
		},
		ownerProperties(),
		systemProperties("createdate", "lastmodifieddate"),
	)
}

// Companies is the company object.
func Companies() *ObjectType {
	return build(&ObjectType{
		ID: "0-2", Name: "companies", Singular: "company", Label: "COMPANY",
		RequiredAnyOf:     [][]string{{"name", "domain"}},
		ReadScopes:        []string{"crm.objects.companies.read"},
		WriteScopes:       []string{"crm.objects.companies.write"},
		SchemaReadScopes:  []string{"crm.objects.companies.read", "crm.schemas.companies.read"},
		SchemaWriteScopes: []string{"crm.schemas.companies.write"},
		Defaults:          []string{"name", "domain", "createdate", "hs_lastmodifieddate", "hs_object_id"},
		Searchable:        []string{"name", "domain", "website", "phone"},
		CreatedProperty:   "createdate",
		ModifiedProperty:  "hs_lastmodifieddate",
	},
		[]*PropertyDefinition{
			str("name", "Company name"),
			str("domain", "Company Domain Name"),
			str("website", "Website URL"),
			phone("phone", "Phone Number"),
			str("industry", "Industry"),
			str("address", "Street Address"),
			str("city", "City"),
			str("state", "State/Region"),
			str("zip", "Postal Code"),
			str("country", "Country/Region"),
			text("description", "Description"),
			num("numberofemployees", "Number of Employees"),
			num("annualrevenue", "Annual Revenue"),
			enum("lifecyclestage", "Lifecycle Stage", lifecycleStages...),
			enum("type", "Type", "PROSPECT", "Prospect", "PARTNER", "Partner", "RESELLER", "Reseller",
				"VENDOR", "Vendor", "OTHER", "Other"),
			pinned(),
			mergedIDs(),
		},
		ownerProperties(),
		systemProperties("createdate", "hs_lastmodifieddate"),
	)
}

// Deals is the deal object.
func Deals() *ObjectType {
	return build(&ObjectType{
		ID: "0-3", Name: "deals", Singular: "deal", Label: "DEAL",
		Required:          []string{"dealname", "dealstage"},
		Pipelines:         &PipelineProperties{Pipeline: "pipeline", Stage: "dealstage", Default: "default", Probability: true},
		ReadScopes:        []string{"crm.objects.deals.read"},
		WriteScopes:       []string{"crm.objects.deals.write"},
		SchemaReadScopes:  []string{"crm.objects.deals.read", "crm.schemas.deals.read"},
		SchemaWriteScopes: []string{"crm.schemas.deals.write"},
		Defaults:          []string{"dealname", "amount", "closedate", "pipeline", "dealstage", "createdate", "hs_lastmodifieddate", "hs_object_id"},
		Searchable:        []string{"dealname"},
		CreatedProperty:   "createdate",
		ModifiedProperty:  "hs_lastmodifieddate",
	},
		[]*PropertyDefinition{
			str("dealname", "Deal Name"),
			num("amount", "Amount"),
			datetime("closedate", "Close Date"),
			pipelineProperty("pipeline", "Pipeline", "0-3"),
			stageProperty("dealstage", "Deal Stage", "0-3"),
			enum("dealtype", "Deal Type", "newbusiness", "New Business", "existingbusiness", "Existing Business"),
			text("description", "Deal Description"),
			pinned(),
			mergedIDs(),
		},
		ownerProperties(),
		systemProperties("createdate", "hs_lastmodifieddate"),
	)
}

// Tickets is the ticket object.
func Tickets() *ObjectType {
	return build(&ObjectType{
		ID: "0-5", Name: "tickets", Singular: "ticket", Label: "TICKET",
		Required:          []string{"subject", "hs_pipeline_stage"},
		Pipelines:         &PipelineProperties{Pipeline: "hs_pipeline", Stage: "hs_pipeline_stage", Default: "0", TicketState: true},
		ReadScopes:        []string{"tickets", "crm.objects.tickets.read"},
		WriteScopes:       []string{"tickets", "crm.objects.tickets.write"},
		SchemaReadScopes:  []string{"tickets", "crm.objects.tickets.read", "crm.schemas.tickets.read"},
		SchemaWriteScopes: []string{"tickets", "crm.schemas.tickets.write"},
		Defaults:          []string{"content", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_category", "hs_ticket_priority", "subject", "createdate", "hs_lastmodifieddate", "hs_object_id"},
		Searchable:        []string{"subject", "content"},
		CreatedProperty:   "createdate",
		ModifiedProperty:  "hs_lastmodifieddate",
	},
		[]*PropertyDefinition{
			str("subject", "Ticket name"),
			text("content", "Ticket description"),
			pipelineProperty("hs_pipeline", "Pipeline", "0-5"),
			stageProperty("hs_pipeline_stage", "Ticket status", "0-5"),
			enum("hs_ticket_category", "Category", "PRODUCT_ISSUE", "Product issue", "BILLING_ISSUE", "Billing issue",
				"FEATURE_REQUEST", "Feature request", "GENERAL_INQUIRY", "General inquiry"),
			enum("hs_ticket_priority", "Priority", "LOW", "Low", "MEDIUM", "Medium", "HIGH", "High", "URGENT", "Urgent"),
			enum("source_type", "Source", "CHAT", "Chat", "EMAIL", "Email", "FORM", "Form", "PHONE", "Phone"),
			pinned(),
			mergedIDs(),
		},
		ownerProperties(),
		systemProperties("createdate", "hs_lastmodifieddate"),
	)
}

// DefaultRegistry holds the built-in object types: communications, the four
// record types, the other engagement types, and users.
func DefaultRegistry() *Registry {
	return NewRegistry(Communications(), Contacts(), Companies(), Deals(), Tickets(),
		Notes(), Calls(), Emails(), Meetings(), Tasks(), PostalMail(), Users())
}
