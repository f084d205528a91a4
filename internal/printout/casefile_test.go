package printout

var caseFileData = &CaseFile{
	Title: "农村部分计划生育家庭奖励扶助案卷目录", CaseRef: "341523-17", Program: "农村部分计划生育家庭奖励扶助",
	Applicant: "王秀英", Place: "舒城县城关镇仁和村",
	Steps: []CaseFileStep{
		{Step: "申报受理", Signer: "村专干甲（村专干）", At: "2024-01-10 09:00"},
		{Step: "入户调查", Signer: "村专干甲（村专干）", At: "2024-01-20 09:00"},
		{Step: "县级审批", Signer: "县审批（县卫健委）", At: "2024-03-01 10:30"},
	},
	Files: []CaseFileItem{
		{Kind: "扫描件", Name: "结婚证.pdf", Owner: "案件", AddedBy: "村专干甲", At: "2024-01-10", Size: 1258291,
			Digest: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", KeepUntil: "2054-01-10"},
		{Kind: "现场照片", Name: "IMG_0001.jpg", Owner: "申请人", AddedBy: "村专干甲", At: "2024-01-20", Size: 20480,
			Digest: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", KeepUntil: "2054-01-20"},
	},
}
