package crm

import "time"

// Property value types, as HubSpot names them.
const (
	TypeString      = "string"
	TypeNumber      = "number"
	TypeEnumeration = "enumeration"
	TypeDatetime    = "datetime"
	TypeDate        = "date"
	TypeBool        = "bool"
	TypePhoneNumber = "phone_number"
)

// PropertyDefinition is one property of an object type.
type PropertyDefinition struct {
	Name        string
	Label       string
	Description string
	GroupName   string
	Type        string
	FieldType   string
	Options     []PropertyOption
	// ReadOnly properties are computed by Spoke; clients cannot write them.
	ReadOnly bool
	// Unique properties identify a record (idProperty) and are unique per type.
	Unique bool
	// CaseInsensitiveUnique compares unique values case-insensitively (contact email).
	CaseInsensitiveUnique bool
	// ReferencedObjectType is "OWNER" for owner properties.
	ReferencedObjectType string
	HubSpotDefined       bool
	DisplayOrder         int
	Hidden               bool
	FormField            bool
	// NotIndexed keeps a property out of the search index; filters on it
	// are answered by reading records (for derived text nobody filters on).
	NotIndexed bool
	// PipelineValue marks the properties holding a record's pipeline and
	// stage: their values are checked against the stored pipelines, not
	// against Options.
	PipelineValue bool `json:",omitempty"`

	// Custom properties only: when they were made, changed and archived.
	CreatedAt, UpdatedAt, ArchivedAt time.Time
	Archived                         bool
}

// PropertyGroup groups properties in HubSpot's UI.
type PropertyGroup struct {
	Name           string
	Label          string
	DisplayOrder   int
	Archived       bool
	HubSpotDefined bool
}

// PropertyOption is one allowed value of an enumeration.
type PropertyOption struct {
	Label        string
	Value        string
	DisplayOrder int
	Hidden       bool
}

// multiValued reports whether an enumeration holds several ';'-separated values.
func (p *PropertyDefinition) multiValued() bool {
	return p.Type == TypeEnumeration && p.FieldType == "checkbox"
}

func (p *PropertyDefinition) hasOption(v string) bool {
	for _, o := range p.Options {
		if o.Value == v {
			return true
		}
	}
	return false
}
