#!/usr/bin/env python3
"""Writes heldout.csv: purchase lines written from public documents that no screening rule,
word list, test or earlier eval line was written from (README.md). Labels were set from the
issue-9 role table before the screener was ever run on these lines. Frozen: do not edit the
lines or labels after the first evaluation (the README records the SHA-256 of heldout.csv)."""
import csv
import sys

# Public documents the wording of each line comes from (paraphrased, never copied).
SOURCES = {
    "td-hk": "https://td.gov.hk/en/publications_and_press_releases/press_releases/transport_department/index_id_1164.html",
    "harrow": "https://d3tenders.com/contract/download.php?ocid=ocds-h6vhtk-02afb4",
    "haringey": "https://www.minutes.haringey.gov.uk/mgAi.aspx?ID=63073",
    "havering": "https://d3tenders.com/contract/download.php?ocid=ocds-b5fd17-0d4a749b-8f37-4ac5-aec1-c987909e457e",
    "windhoek": "https://shoppinglist.wikileaks.org/docs/na_Statement-of-Work-CCTV-System-upgrade-at-CDC-Whk-Offices",
    "sabs": "https://www.scribd.com/document/631366619/Annexure-A-Scope-OF-Work",
    "sentech": "https://manualzz.com/doc/30928509/contract-data-contents",
    "bermuda": "https://royalgazette.com/crime/news/article/20220727/government-plans-to-upgrade-and-expand-cctv-system",
    "hw-sow": "https://support.huaweicloud.com/intl/en-us/productdesc-professionalservices/en-us_topic_0000002418463933.html",
    "hw-hcs-licence": "https://www.scribd.com/document/555045602/HUAWEI-CLOUD-Stack-6-5-0-License-Guide-04",
    "hw-oceanstor": "https://www.scribd.com/document/836222344/HYBRID",
    "hw-hss": "https://www.scribd.com/document/918621121/9-HSS9860-HLR9820-Emergency-O-M-Practice-Training-GUL",
    "hw-po": "https://e.huawei.com/at/partner/demo/order-delivery",
    "hcip-fee": "https://www.xqfhp.com/Question/14162",
    "dahua-naming": "https://ek.ua/en/post/4042/323-markirovka-kamer-nablyudeniya-dahua",
    "dahua-hdbw5442": "https://www.notice-facile.com/en/manual/1216690/dahua+technology+ipc-hdbw5442r-ase-opat",
    "dahua-sdt4e": "https://manuzoid.com/manuals/6xx1N-Dahua%20SDT4E425-4F-GB-A-PV1%20X-Spans%204MP+4MP%2025x%20TiOC%20WizSense%20Network%20PTZ%20Camera%20User%20manual",
    "dahua-sd5a": "https://scribd.com/document/674861450/instrukcja-SD5A425XA-HNR",
    "dw-ptz": "https://manualzz.com/doc/62363330/digital-watchdog-dwc-mptz230xtw-megapix-2.1mp-1080p-ptz-i...",
    "dw-dome": "https://www.manualslib.com/manual/2658762/Digital-Watchdog-Megapix-Dwc-Mvc8wiatw.html",
    "hcsa": "https://pdfcoffee.com/hcsa-exam-v8-print-pdf-free.html",
    "zte-gpon-rfp": "https://vdocument.in/zte-gpon-rfp-template20150320.html",
    "zte-ct": "https://www.convergedigest.com/2012/06/zte-captures-40-of-china-telecom-2012_26.html",
    "epon-unicom": "https://interfax.com/newsroom/top-stories/67805/",
    "maipu": "https://pro-wp.in.ua/how-to-change-the-vendor-in-the-project-for-6000-access-points-in-1-5-months/",
    "dfn": "https://www.lightreading.com/optical/huawei-denied-german-bid/a/d-id/695791",
    "unops-lan": "https://www.ungm.org/Public/Notice/290105",
    "railtel": "https://pt.scribd.com/document/438205908/RAILTEL-Information-to-Bidder",
    "durban-fw": "https://vdocuments.us/supply-amp-installation-of-checkpoint-firewall-solution.html",
    "lmr": "http://www.techweb.com/taxonomy/index/printarticle/id/6503374",
    "chp-p25": "http://www.govtech.com/public-safety/State-of-Utah-California.html",
    "maine": "http://www.maine.gov/tools/whatsnew/index.php?topic=MSCommNet_FAQs&id=83440&v=View",
    "identiv": "https://academy.identiv.com/mod/page/view.php?id=18",
    "prof-huawei": "http://www.ipm.edu.mo/en/prof_huawei.php",
    "huang-wei": "https://en.hainanu.edu.cn/info/1131/13671.htm",
    "hu-wei": "http://asian-affairs.com/biographies/huwei.html",
    "hust": "http://english.hust.edu.cn/news",
    "junction": "https://cctvtrainer.com/why-junction-boxes-matter-in-cctv-installations/",
}

# (id, description, manufacturer, brand, model, part_number, supplier, unspsc, date,
#  us-ndaa-889, ca-federal-2025, hard_negative, source, note)
P, R, C = "prohibited", "review", "clear"
LINES = [
    # Covered makers' goods: made by / brand / model -> the policy's verdict.
    ("H001", "4MP WizColor fixed dome network camera, vandal proof, IR", "Dahua Technology", "", "IPC-HDBW5442R-ASE", "", "", "46171610", "", P, C, "no", "dahua-hdbw5442", "Dahua camera from its manual"),
    ("H002", "Dual PTZ camera 4MP+4MP 25x optical zoom WizSense", "Zhejiang Dahua Vision Technology Co., Ltd.", "", "SDT4E425-4F-GB-A-PV1", "", "", "46171610", "", P, C, "no", "dahua-sdt4e", "Dahua subsidiary legal name from the manual"),
    ("H003", "Network speed dome 4MP 25x starlight, with wall mount", "", "Dahua", "SD5A425XA-HNR", "", "", "46171610", "", P, C, "no", "dahua-sd5a", "brand column"),
    ("H004", "HDCVI bullet camera 2MP with IR, analogue HD", "", "", "DH-HAC-HFW1200T", "", "", "46171610", "", P, C, "no", "dahua-naming", "DH- prefix is the Dahua brand designation (naming guide)"),
    ("H005", "Qty 40 - Dahua HD-CVI dome cameras 2MP for car park", "", "", "", "", "", "", "", P, C, "no", "dahua-naming", "maker in free text"),
    ("H006", "OceanStor hybrid flash storage, dual controller, 25 x 1.92TB SSD", "Huawei", "", "", "", "", "43201800", "", P, C, "no", "hw-oceanstor", "Huawei storage"),
    ("H007", "New-Gen OceanStor Hybrid Flash Storage controller enclosure (Huawei)", "", "", "", "", "", "", "", P, C, "no", "hw-oceanstor", "maker in free text, parenthesised"),
    ("H008", "GPON OLT chassis with 16-port GPON service boards", "ZTE Corporation", "", "", "", "", "43222600", "", P, C, "no", "zte-gpon-rfp", "ZTE OLT"),
    ("H009", "Broadband terminals (ONT) for FTTH roll-out, 2,000 units, ZTE", "", "", "", "", "", "", "", P, C, "no", "zte-ct", "maker named at the end"),
    ("H010", "HikCentral Professional base licence and 64 camera channel licences", "Hikvision", "", "", "", "", "43232300", "", P, P, "no", "hcsa", "Hikvision VMS software"),
    ("H011", "Hikvision people counting camera with flow analysis, dual lens", "", "", "", "", "", "46171610", "", P, P, "no", "hcsa", "Hikvision camera in free text"),
    ("H012", "NVR 16 channel H.265+ with 4 SATA bays", "HIKVISION", "", "", "", "", "", "", P, P, "no", "hcsa", "upper-case maker"),
    ("H013", "Hybrid flash storage system 2U (OceanStor)", "Huawei Technologies Co., Ltd.", "", "", "", "Acme IT Distribution Ltd", "", "", P, C, "no", "hw-oceanstor", "maker column, non-covered supplier"),
    ("H014", "PON optical line terminal and FTTB MDU units", "", "ZTE", "", "", "", "", "", P, C, "no", "zte-ct", "brand column"),
    ("H015", "EPON equipment - optical network units for FTTB buildings, supplied by FiberHome or Huawei", "", "", "", "", "", "", "", R, C, "no", "epon-unicom", "Huawei as one possible supplier/maker: maker not settled"),
    ("H016", "Cloud platform operations: Huawei Cloud Stack Online subscription, 100 servers", "", "", "", "", "", "", "", P, C, "no", "hw-sow", "a Huawei product subscription"),
    ("H017", "4MP fixed dome camera, 2.8mm, vandal resistant", "", "", "IPC-HDBW2441E-S", "", "Northern Security Wholesale", "46171610", "", P, C, "no", "dahua-naming", "Dahua IPC-HDBW family under a distributor, no maker column"),
    ("H018", "Video surveillance: IP speed dome 4MP from Dahua, pendant mount", "", "", "", "", "", "", "", P, C, "no", "dahua-sd5a", "maker after 'from'"),
    # Misspellings of covered names (6+ letters) -> review; short names are not caught by design
    ("H019", "Hikvison 8MP bullet camera with 4mm lens", "", "", "", "", "", "", "", R, R, "no", "hcsa", "misspelt Hikvision"),
    ("H020", "OceanStor storage array from Huawie, 2U controller", "", "", "", "", "", "", "", R, C, "no", "hw-oceanstor", "misspelt Huawei"),
    ("H021", "Dahau 2MP HDCVI dome camera", "", "", "", "", "", "", "", R, C, "no", "dahua-naming", "misspelt Dahua (5 letters: below the fuzzy threshold)"),
    # Services on covered equipment still in use -> review
    ("H022", "Annual maintenance and fault repair of existing Dahua speed domes (12 units)", "", "", "", "", "", "72154000", "", R, C, "no", "sentech", "maintenance of covered equipment in use"),
    ("H023", "Licence renewal for HUAWEI CLOUD Stack, 12 months", "", "", "", "", "", "", "", R, C, "no", "hw-hcs-licence", "licence for covered product in use"),
    ("H024", "Emergency O&M support for installed Huawei HSS9860 / HLR9820 core", "", "", "", "", "", "", "", R, C, "no", "hw-hss", "support for covered equipment"),
    ("H025", "Firmware upgrade of the existing Hikvision NVRs at 3 depots", "", "", "", "", "", "", "", R, R, "no", "hcsa", "firmware on covered equipment"),
    ("H026", "Spare parts: power supply units for ZTE OLT in service", "", "", "", "", "", "", "", R, C, "no", "zte-gpon-rfp", "spare parts"),
    ("H027", "Assisted O&M service (basic) for Huawei Cloud Stack, alarm monitoring and fault rectification", "", "", "", "", "", "81111800", "", R, C, "no", "hw-sow", "operations service on a Huawei platform"),
    # Accessories compatible with covered equipment -> review
    ("H028", "Wall mount bracket for Dahua SD5A series speed dome", "", "", "", "", "", "", "", R, C, "no", "dahua-sd5a", "accessory 'for'"),
    ("H029", "IP66 junction box compatible with Hikvision dome cameras", "", "", "", "", "", "", "", R, R, "no", "junction", "accessory 'compatible with'"),
    ("H030", "Replacement SFP module, compatible with Huawei S-series switches", "", "", "", "", "", "", "", R, C, "no", "railtel", "compatible accessory"),
    # Seller only
    ("H031", "PON line card 16 port", "", "", "", "", "ZTE Corporation", "", "", R, C, "no", "zte-gpon-rfp", "seller only, maker unknown"),
    ("H032", "Enterprise firewall appliance with 3-year licence", "Check Point", "", "", "", "Huawei Enterprise Reseller Pty", "", "", C, C, "yes", "durban-fw", "seller name only, non-covered maker named"),
    # Replaced / migrated from / traded in -> clear
    ("H033", "Replacement of Huawei access switches with Maipu routing switches (500 units)", "", "", "", "", "", "", "", C, C, "yes", "maipu", "covered name is the replaced item"),
    ("H034", "Migration away from Huawei network equipment to Nokia 100G optical transport", "", "", "", "", "", "", "", C, C, "yes", "dfn", "migrated from"),
    ("H035", "Rip and replace: removal of ZTE broadband terminals and supply of Nokia ONTs", "", "", "", "", "", "", "", C, C, "yes", "zte-ct", "removal + non-covered purchase"),
    ("H036", "Supply of Axis cameras to replace Hikvision units at the depot", "Axis Communications", "", "", "", "", "46171610", "", C, C, "yes", "haringey", "replace"),
    ("H037", "Trade-in of old Dahua DVRs against new Milestone XProtect servers", "", "", "", "", "", "", "", C, C, "yes", "havering", "trade-in"),
    ("H038", "Decommissioning and disposal of Hytera handheld radios", "", "", "", "", "", "", "", C, C, "yes", "maine", "removal/disposal"),
    # Topic of training, research, certification -> clear
    ("H039", "HCSA training course: Hikvision certified security associate, 2 delegates", "", "", "", "", "", "86101700", "", C, C, "yes", "hcsa", "training whose topic is a covered vendor"),
    ("H040", "Exam vouchers HCIP-Routing & Switching (Huawei certification) x3", "", "", "", "", "", "86132000", "", C, C, "yes", "hcip-fee", "certification exam, topic"),
    ("H041", "Market research report on ZTE, FiberHome and Huawei PON market share", "", "", "", "", "", "80141500", "", C, C, "yes", "epon-unicom", "research topic"),
    ("H042", "Legal opinion on exclusion of Huawei from research network procurement", "", "", "", "", "", "80121700", "", C, C, "yes", "dfn", "legal topic"),
    ("H043", "Audit of installed Dahua and Hikvision cameras across council sites", "", "", "", "", "", "", "", C, C, "yes", "harrow", "survey/audit topic"),
    ("H044", "Operator training on the new CCTV system (not Hikvision)", "", "", "", "", "", "86101700", "", C, C, "yes", "harrow", "negated mention"),
    # People whose names look like covered names -> clear
    ("H045", "External examiner fee - Prof. Hua Wei, International Chinese Language Education programme", "", "", "", "", "", "", "", C, C, "yes", "prof-huawei", "person named Hua Wei"),
    ("H046", "Book: The Female Voice and Historic Memory in Ming-Qing Opera, by Hua Wei", "", "", "", "", "", "55101500", "", C, C, "yes", "prof-huawei", "author Hua Wei"),
    ("H047", "Honorarium for distinguished scientist lecture, Huang Wei", "", "", "", "", "", "", "", C, C, "yes", "huang-wei", "Huang Wei (one edit from Huawei when joined)"),
    ("H048", "Travel reimbursement: visiting professor Hu Wei, Shanghai Jiao Tong University", "", "", "", "", "", "", "", C, C, "yes", "hu-wei", "Hu Wei"),
    ("H049", "Consultant fee - Dr Wang Xinsheng, GPON specification review", "", "", "", "", "", "", "", C, C, "no", "zte-gpon-rfp", "person, no covered name"),
    ("H050", "Speaker gift for Prof Hua Wei (Kunqu opera lecture)", "", "", "", "", "", "", "", C, C, "yes", "prof-huawei", "person named Hua Wei"),
    ("H051", "Catering for visiting delegation incl. Ms Hua Wei and Mr Zou Yonghua", "", "", "", "", "", "", "", C, C, "yes", "huang-wei", "names in a list"),
    # Non-covered goods and services (hard negatives: look-alike or security-sector wording)
    ("H052", "MEGApix 2.1MP 1080p 30x PTZ IP camera", "Digital Watchdog", "", "DWC-MPTZ230XTW", "", "", "46171610", "", C, C, "no", "dw-ptz", "non-covered camera maker"),
    ("H053", "MEGApix 4K low-profile vandal dome IP camera", "Digital Watchdog", "", "DWC-MVC8WiATW", "", "", "46171610", "", C, C, "no", "dw-dome", "non-covered"),
    ("H054", "Land mobile radio units: portable radios, repeaters and base stations", "Motorola Solutions", "", "", "", "", "43191500", "", C, C, "no", "lmr", "non-covered radios"),
    ("H055", "Project 25 compliant interoperable portable radios", "EF Johnson Technologies", "", "", "", "", "43191500", "", C, C, "no", "chp-p25", "non-covered"),
    ("H056", "P25 trunked portable radios for state agencies", "Harris Corporation", "", "", "", "", "", "", C, C, "no", "maine", "non-covered"),
    ("H057", "Supply of routers, switches and SFPs through GeM", "Cisco Systems", "", "", "", "", "43222600", "", C, C, "no", "railtel", "non-covered"),
    ("H058", "Supply and installation of firewall solution with licensing", "Check Point Software", "", "", "", "", "", "", C, C, "no", "durban-fw", "non-covered"),
    ("H059", "Velocity hardware course (online), access control certification", "Identiv", "", "", "", "", "86101700", "", C, C, "no", "identiv", "non-covered training"),
    ("H060", "Mx controller course for Hirsch Velocity channel partners", "Identiv", "", "", "", "", "", "", C, C, "no", "identiv", "non-covered"),
    ("H061", "Routing switches and Wi-Fi access points, 6,000 units", "Maipu", "", "", "", "", "43222600", "", C, C, "no", "maipu", "non-covered Chinese maker"),
    ("H062", "100G optical transport upgrade for research network", "Nokia", "", "", "", "", "", "", C, C, "no", "dfn", "non-covered"),
    ("H063", "EPON optical line terminals", "FiberHome", "", "", "", "", "", "", C, C, "no", "epon-unicom", "FiberHome is not a covered maker in the policies"),
    ("H064", "Structured cabling system and LAN provision for 30 hospitals", "", "", "", "", "", "", "", C, C, "no", "unops-lan", "no vendor"),
    ("H065", "IP65 junction box for outdoor camera cable connections", "", "", "", "", "", "39121300", "", C, C, "no", "junction", "accessory, no covered name"),
    ("H066", "Design, supply and implementation of digital CCTV system with about 425 cameras", "", "", "", "", "", "", "", C, C, "no", "td-hk", "no covered name"),
    ("H067", "Upgrade of CCTV infrastructure from analogue to digital and fit-out of new control room", "", "", "", "", "", "", "", C, C, "no", "harrow", "no covered name"),
    ("H068", "Redeployable cameras for anti-social behaviour hotspots", "", "", "", "", "", "46171610", "", C, C, "no", "haringey", "no covered name"),
    ("H069", "Enterprise IP CCTV system to replace current CCTV system, phased roll-out", "", "", "", "", "", "", "", C, C, "no", "sabs", "no covered name"),
    ("H070", "Turnkey hybrid CCTV network with PTZ and varifocal cameras, 5-year maintenance", "", "", "", "", "", "", "", C, C, "no", "bermuda", "no covered name"),
    ("H071", "Telecommunication services for CCTV image transmission, five-year term", "", "", "", "", "", "", "", C, C, "no", "td-hk", "no covered name"),
    ("H072", "Provision and installation of security surveillance cameras with five-year maintenance contract", "", "", "", "", "", "", "", C, C, "no", "sentech", "no covered name"),
    ("H073", "CCTV system upgrade at office annexes and parking areas, materials and skilled labour", "", "", "", "", "", "", "", C, C, "no", "windhoek", "no covered name"),
    ("H074", "Face and licence plate recognition cameras for command operations", "", "", "", "", "", "", "", C, C, "no", "bermuda", "no covered name"),
    ("H075", "Storage array 2U hybrid flash, dual controller, 25 SSD", "NetApp", "", "", "", "", "43201800", "", C, C, "no", "hw-oceanstor", "same product class, non-covered maker"),
    ("H076", "GPON ONT for FTTH, 4 GE ports, Wi-Fi 6", "Nokia", "", "", "", "", "", "", C, C, "no", "zte-ct", "same product class, non-covered"),
    ("H077", "Speed dome PTZ camera 25x, 4MP", "Hanwha Vision", "", "", "", "", "46171610", "", C, C, "no", "dahua-sd5a", "same class, non-covered"),
    ("H078", "Professional services statement of work: cloud migration assessment", "", "", "", "", "", "81111800", "", C, C, "no", "hw-sow", "no covered name"),
    ("H079", "PO line: product code, description, quantity and unit price for network switches", "Juniper Networks", "", "", "", "", "", "", C, C, "no", "hw-po", "non-covered"),
    ("H080", "Hirsch Velocity operator course, four-day instructor led", "", "", "", "", "", "", "", C, C, "no", "identiv", "non-covered"),
    # More hard negatives: people, topics and removals (written before any screening run).
    ("H081", "Co-funding of research: Prof. Xiong Caihua, upper-limb exoskeleton robot", "", "", "", "", "", "", "", C, C, "yes", "hust", "given name with 'hua'"),
    ("H082", "Exhibition registration fee for Prof. Li Zhongwei (3-D measurement system)", "", "", "", "", "", "", "", C, C, "yes", "hust", "given name with 'wei'"),
    ("H083", "Hotel, 2 nights, for academician Huang Wei, guest lecture", "", "", "", "", "", "", "", C, C, "yes", "huang-wei", "Huang Wei"),
    ("H084", "Translation of the ZTE GPON RFP template into French", "", "", "", "", "", "82111900", "", C, C, "yes", "zte-gpon-rfp", "service whose topic is a document about ZTE"),
    ("H085", "Consultancy to select a new network vendor after Huawei's withdrawal", "", "", "", "", "", "80101500", "", C, C, "yes", "maipu", "topic"),
    ("H086", "Feasibility study: replacing Huawei equipment in the research backbone", "", "", "", "", "", "", "", C, C, "yes", "dfn", "study topic / replaced"),
    ("H087", "Press monitoring subscription - coverage of Huawei exclusions in Germany", "", "", "", "", "", "", "", C, C, "yes", "dfn", "topic"),
    ("H088", "Removal of Hikvision cameras and making good of walls at depot", "", "", "", "", "", "", "", C, C, "yes", "havering", "removal"),
    ("H089", "Training on operation of the new system; old Dahua recorders to be removed", "", "", "", "", "", "86101700", "", C, C, "yes", "harrow", "training + removal"),
    ("H090", "Replace legacy Hytera DMR radios with P25 portables", "Motorola Solutions", "", "", "", "", "43191500", "", C, C, "yes", "chp-p25", "replaced, non-covered maker"),
]


def main():
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["line_id", "description", "manufacturer", "brand", "model", "part_number", "supplier",
                "unspsc", "date", "expect_us_ndaa_889", "expect_ca_federal_2025", "hard_negative",
                "split", "source", "note"])
    for row in LINES:
        (lid, desc, mfr, brand, model, pn, supplier, unspsc, date, us, ca, hard, src, note) = row
        w.writerow([lid, desc, mfr, brand, model, pn, supplier, unspsc, date, us, ca, hard,
                    "heldout", SOURCES[src], note])


if __name__ == "__main__":
    main()
