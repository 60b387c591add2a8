package crm

// languageSkills are the options of a user's language skills, as HubSpot's
// users guide lists them.
var languageSkills = []string{
	"da", "Dansk", "de", "Deutsch", "en", "English", "es", "Español", "fr", "Français",
	"it", "Italiano", "nl", "Nederlands", "no", "Norsk", "pl", "Polski", "ptbr", "Português",
	"fi", "Suomi", "sv", "Svenska", "zhtw", "中文 - 繁體", "ja", "日本語",
}

// Users is the user object: the account's HubSpot users as CRM records,
// guarded by their own scopes. A user's id is not its owner id nor its
// user-provisioning id (hs_internal_user_id, unique, so it can name a user
// as idProperty).
func Users() *ObjectType {
	internalID := num("hs_internal_user_id", "User ID")
	internalID.Unique = true
	return build(&ObjectType{
		ID: "0-115", Name: "users", Singular: "user", Label: "USER",
		Required:          []string{"hs_internal_user_id", "hs_email"},
		ReadScopes:        []string{"crm.objects.users.read"},
		WriteScopes:       []string{"crm.objects.users.write"},
		SchemaReadScopes:  []string{"crm.objects.users.read"},
		SchemaWriteScopes: []string{"crm.objects.users.write"},
		Defaults:          []string{"hs_createdate", "hs_lastmodifieddate", "hs_object_id"},
		Searchable:        []string{"hs_email", "hs_given_name", "hs_family_name", "hs_job_title"},
		CreatedProperty:   "hs_createdate",
		ModifiedProperty:  "hs_lastmodifieddate",
	},
		[]*PropertyDefinition{
			internalID,
			str("hs_email", "Email"),
			str("hs_given_name", "First name"),
			str("hs_family_name", "Last name"),
			str("hs_job_title", "Job title"),
			phone("hs_additional_phone", "Additional phone number"),
			enum("hs_availability_status", "Availability status", "available", "Available", "away", "Away"),
			str("hs_standard_time_zone", "Time zone"),
			notIndexed(str("hs_working_hours", "Working hours")),
			notIndexed(str("hs_out_of_office_hours", "Out of office hours")),
			enum("hs_main_user_language_skill", "Main language skill", languageSkills...),
			enum("hs_secondary_user_language_skill", "Secondary language skill", languageSkills...),
			str("hs_uncategorized_skills", "Uncategorized skills"),
		},
		systemProperties("hs_createdate", "hs_lastmodifieddate"),
	)
}
