#!/usr/bin/env python3
"""Writes lines.csv, the labelled screening evaluation set (see README.md).

Lines are written by us from public catalogue conventions (cXML/ERP item fields, distributor
rows such as "HILOOK BY HIKVISION" / THC-T120-PC / UNSPSC 46171610, model stems documented in
JoeyGE0/hikvision-fw-archive devices.json; maciej-or/hikvision_next tests/fixtures; Achelics/mutil_device_recongition model_name_rules/name_rules.md) and labelled from the policy texts in data/policies, not
from the screener's output. Re-run to regenerate: python3 make_eval.py > lines.csv
"""
import csv
import sys
import zlib

P, R, C = "prohibited", "review", "clear"
rows = []


def add(desc="", mfr="", brand="", model="", pn="", supplier="", unspsc="", date="", us=C, ca=C, hard=False, note=""):
    rows.append(dict(description=desc, manufacturer=mfr, brand=brand, model=model, part_number=pn,
                     supplier=supplier, unspsc=unspsc, date=date, expect_us_ndaa_889=us,
                     expect_ca_federal_2025=ca, hard_negative="yes" if hard else "no", note=note))


CAM = "46171610"
# ---------------------------------------------------------------- Hikvision (made by): 889 P, CA P
hik_names = ["Hikvision", "HIKVISION", "Hangzhou Hikvision Digital Technology Co., Ltd.",
             "HANGZHOU HIKVISION DIGITAL TECHNOLOGY COMPANY", "Hikvision Digital Tech Co Ltd", "HIK VISION",
             "Hik-Vision", "海康威视", "杭州海康威视数字技术股份有限公司", "ＨＩＫＶＩＳＩＯＮ", "HikVision",
             "Hangzhou Hikvision Digital Technology Co.,Ltd"]
hik_items = [("4MP AcuSense fixed bullet network camera 2.8mm", "DS-2CD2043G2-I"),
             ("8-channel 4K NVR with 8 PoE ports, 2TB", "DS-7608NI-K2/8P"),
             ("4MP 25x network IR speed dome", "DS-2DE4425IW-DE"),
             ("16-channel Turbo HD DVR", "DS-7216HQHI-K1"),
             ("Video intercom indoor station 7in", "DS-KH6320-WTE1"),
             ("Thermal bi-spectrum bullet camera", "DS-2TD2617-10/PA"),
             ("8MP turret network camera", "DS-2CD2386G2-IU"),
             ("Face recognition terminal", "DS-K1T341AMF")]
for i, name in enumerate(hik_names):
    d, m = hik_items[i % len(hik_items)]
    add(d, mfr=name, model=m, unspsc=CAM, us=P, ca=P, note="Hikvision legal name/alias variant in manufacturer")
for i, (d, m) in enumerate(hik_items):
    add(f"Hikvision {m} {d}", unspsc=CAM, us=P, ca=P, note="brand and model in description")
    add(d, mfr="", brand="Hikvision", pn=m, supplier="ADI Global Distribution", us=P, ca=P, note="brand column")
add("IP camera 海康威視 DS-2CD1023G0E-I", us=P, ca=P, note="traditional Chinese short name")
add("Security camera kit", supplier="Hikvision USA, Inc.", us=R, ca=R, note="Hikvision US subsidiary as seller, maker unknown (issue 9 seller rule: review)")
add("4MP bullet camera", mfr="Hikvision USA Inc", us=P, ca=R, note="US subsidiary")
add("IP camera", supplier="Hikvision Canada Inc.", us=R, ca=R, note="Canadian subsidiary as seller, maker unknown (issue 9 seller rule: review)")
add("Hikvision camera DS-2CD2143G2-I for parking lot", us=P, ca=P, note="'for' after the mention is not accessory context")
add("Supply and install 12 Hikvision dome cameras; remove old analog units", us=P, ca=P,
    note="purchase clause plus a removal clause")
add("Replace failed camera with new Hikvision DS-2CD2143G2-I", us=P, ca=P, note="replacement purchase")
# ---------------------------------------------------------------- Hikvision group brands: 889 P, CA review
for name, item, model in [("EZVIZ", "C6N 1080p Wi-Fi pan/tilt indoor camera", "CS-C6N-A0-1C2WFR"),
                          ("EZVIZ", "H6c smart home camera", "CS-H6c-R101-1G2WF"),
                          ("HILOOK BY HIKVISION", "Turbo HD bullet camera 720p", "THC-T120-PC"),
                          ("HiLook", "4MP network bullet camera", "IPC-B140H"),
                          ("HiWatch", "4MP dome network camera", "HWI-D140H"),
                          ("Hangzhou EZVIZ Network Co., Ltd.", "Smart door lock", ""),
                          ("Ezviz", "Battery camera kit", "")]:
    add(item, mfr=name, model=model, unspsc=CAM, us=P, ca=R, note="Hikvision-group brand")
    add(f"{name} {item}", us=P, ca=R, note="Hikvision-group brand in description")
# ---------------------------------------------------------------- Dahua: 889 P, CA clear
dahua_names = ["Dahua", "DAHUA TECHNOLOGY", "Zhejiang Dahua Technology Co., Ltd.", "ZheJiang Dahua Technology CO.,LTD.",
               "浙江大华技术股份有限公司", "浙江大華技術股份有限公司", "大华股份", "Dahua Technology Company", "Zhe Jiang Dahua"]
dahua_items = [("2MP eyeball network camera", "DH-IPC-HDW1230T1-S5"), ("64-channel NVR 4K", "DHI-NVR5464-16P-EI"),
               ("Villa door station", "DHI-VTO2111D-P-S2"), ("Starlight PTZ camera", "DH-SD3C405DB-GNY-A-PV"),
               ("16-channel penta-brid XVR", "XVR5116HS-I3")]
for i, name in enumerate(dahua_names):
    d, m = dahua_items[i % len(dahua_items)]
    add(d, mfr=name, model=m, unspsc=CAM, us=P, ca=C, note="Dahua name variant")
for d, m in dahua_items:
    add(f"Dahua {d} {m}", us=P, ca=C, note="Dahua in description")
add("Network camera", supplier="Dahua Technology USA Inc.", date="2023-06-01", us=R, ca=C, note="US subsidiary as seller before the 2024-01 sale, maker unknown (seller rule: review)")
add("Network camera", supplier="Dahua Technology USA Inc.", date="2024-06-01", us=C, ca=C, hard=True,
    note="US subsidiary after its 2024-01 sale (dated ownership)")
# Lorex dated ownership (Dahua 2018-02..2023)
for date, us in [("2018-06-01", P), ("2019-03-15", P), ("2021-11-30", P), ("2023-05-01", P)]:
    add("4K security camera system 8ch", brand="Lorex", date=date, us=us, ca=C, note="Lorex while Dahua-owned")
add("4K security camera system 8ch", brand="Lorex", date="2017-05-01", us=R, ca=C,
    note="Lorex before the Dahua acquisition: documented Dahua OEM label (weak signal)")
for date in ["2024-02-01", "2025-07-10", "2026-01-05"]:
    add("4K security camera system 8ch", brand="Lorex", date=date, us=C, ca=C, hard=True, note="Lorex outside Dahua ownership")
add("Lorex 2K Wi-Fi video doorbell", us=R, ca=C, note="Lorex without a date: ownership unknown")
add("Wired bullet camera", mfr="Lorex Technology Inc.", us=R, ca=C, note="Lorex legal name without a date")
# ---------------------------------------------------------------- Huawei: 889 P, CA clear
huawei_names = ["Huawei", "HUAWEI TECHNOLOGIES CO LTD", "Huawei Technologies Co., Ltd.", "华为技术有限公司",
                "Huawei Technologies Company", "Hua Wei", "華為"]
huawei_items = ["AR6120 enterprise router", "S5735-L24T4S-A 24-port switch", "AirEngine 5761-11 Wi-Fi 6 access point",
                "OptiX OSN 1800 optical transport", "eA660 LTE CPE", "P60 Pro smartphone", "B535 4G router"]
for i, name in enumerate(huawei_names):
    add(huawei_items[i % len(huawei_items)], mfr=name, us=P, ca=C, note="Huawei name variant")
for item in huawei_items:
    add(f"Huawei {item}", us=P, ca=C, note="Huawei in description")
add("Enterprise switch maintenance", supplier="Huawei Technologies Co., Ltd.", us=R, ca=C, note="Huawei as seller, maker unknown (seller rule: review)")
# ---------------------------------------------------------------- ZTE: 889 P
zte_names = ["ZTE", "ZTE Corporation", "ZTE CORP", "中兴通讯股份有限公司", "ZTE Kangxun Telecommunications Ltd.", "Zhongxing Telecommunication Equipment Corporation"]
zte_items = ["MF920U 4G mobile hotspot", "ZXHN F670L GPON ONT", "Blade A52 smartphone", "MC801A 5G CPE",
             "ZXA10 C600 OLT line card", "Axon 40 Ultra phone"]
for i, name in enumerate(zte_names):
    add(zte_items[i % len(zte_items)], mfr=name, us=P, ca=C, note="ZTE name variant")
for item in zte_items:
    add(f"ZTE {item}", us=P, ca=C, note="ZTE in description")
# ---------------------------------------------------------------- Hytera: 889 P
for name in ["Hytera", "Hytera Communications Corporation Limited", "HYTERA COMMUNICATIONS CORP"]:
    for item in ["PD785 DMR portable two-way radio", "MD785 mobile radio"]:
        add(item, mfr=name, us=P, ca=C, note="Hytera")
add("Hytera PD985 DMR radio with charger", us=P, ca=C, note="Hytera in description")
add("Hytera HP785 digital portable radio", us=P, ca=C, note="Hytera in description")
add("SC20 TETRA hand-portable radio", mfr="Sepura", us=R, ca=C,
    note="Hytera subsidiary since 2017: dated relation and no date on the line")
add("SC20 TETRA hand-portable radio", mfr="Sepura", date="2024-04-01", us=P, ca=C, note="Hytera subsidiary since 2017")
# ---------------------------------------------------------------- OEM labels: review
for name, ca in [("LTS", R), ("LT Security Inc.", R), ("Amcrest", C), ("Amcrest Technologies", C)]:
    add("4MP IP turret camera", mfr=name, unspsc=CAM, us=R, ca=ca, note="documented OEM label: single weak signal")
add("Amcrest 4K PoE camera IP8M-2496EW", us=R, ca=C, note="OEM label in description")
add("Platinum NVR 16ch", brand="LTS", us=R, ca=R, note="OEM label in the brand column")
add("Hikvision DS-2CD2T47G2-L ColorVu bullet camera", us=P, ca=P, note="Hikvision in description")
add("Hik Vision NVR 8ch with 2TB", us=P, ca=P, note="spacing variant in description")
add("Hikvision Digital Technology 4MP dome", us=P, ca=P, note="alias in description")
add("Machine vision camera", mfr="Hangzhou Hikrobot Co., Ltd.", us=R, ca=R, note="low-confidence Hikvision subsidiary")
add("Thermal monocular", mfr="HIKMICRO", us=R, ca=R, note="low-confidence Hikvision subsidiary")
add("Imou Ranger 2 Wi-Fi camera", us=R, ca=C, note="low-confidence Dahua brand")
add("Core router support contract", supplier="Huawei Investment & Holding Co., Ltd.", us=R, ca=C, note="Huawei holding company as seller (seller rule: review)")
add("Access control panel", supplier="Dahua Europe B.V.", us=R, ca=C, note="Dahua subsidiary as seller (seller rule: review)")
add("TETRA base station", mfr="Teltronic", date="2025-01-10", us=P, ca=C, note="Hytera group via Sepura (dated)")
add("RedMagic gaming phone", mfr="Nubia Technology", us=P, ca=C, note="ZTE affiliate")
add("Optical network terminal", mfr="Zhongxing Telecom", us=P, ca=C, note="ZTE former-name abbreviation")
# ---------------------------------------------------------------- Model number only: review
for m in ["DS-2CD2143G2-I", "DS-7608NI-K2", "DS-2DE4A425IWG-E", "DS-K1T671M"]:
    add("IP camera equipment", model=m, us=P, ca=P, note="verified Hikvision model stem in the model column decides the maker (issue 9)")
    add(f"Camera {m}", us=R, ca=R, note="Hikvision model stem in description only")
for m, us in [("DH-IPC-HFW2431S-S-S2", P), ("DHI-NVR4108HS-8P-4KS2", P), ("IPC-HDBW2431E-S-S2", R), ("XVR5108HS-I3", R)]:
    add("IP camera equipment", model=m, us=us, ca=C, note="Dahua model stem in the model column (verified stems decide the maker; unverified: review)")
add("Smart camera", model="CS-C6N-A0-1C2WFR", us=P, ca=R, note="verified EZVIZ model stem in the model column decides the maker")
# ---------------------------------------------------------------- Accessories: at most review
for d, us, ca in [("Wall mount bracket compatible with Hikvision dome cameras", R, R),
                  ("12V 2A power supply for Dahua cameras", R, C),
                  ("Junction box, Hikvision-compatible", R, R),
                  ("Replacement remote for Hikvision DVR", R, R),
                  ("Pole mount adapter fits Dahua PTZ", R, C),
                  ("Battery pack for Hytera PD785 radio", R, C),
                  ("Screen protector for Huawei P60 Pro", R, C),
                  ("Cable kit suitable for ZTE MF920U", R, C),
                  ("ONVIF camera works with Hikvision NVR", R, R),
                  ("Case for Huawei MatePad 11", R, C)]:
    add(d, mfr="Generic", us=us, ca=ca, note="accessory/compatibility context")
# ================================================================ hard negatives: clear/clear
neg = [
    ("Hikari LED panel light 600x600", "Hikari"), ("Hikoki 18V cordless impact driver", "Hikoki"),
    ("Hankvision 8-port PoE switch", "Hankvision"), ("Zetec engine gasket set", "Ford"),
    ("Aztec conference table 8 seat", "Aztec Furniture"), ("ZTEK USB-C to HDMI adapter", "Ztek"),
    ("Dahuang instant noodles case", "Dahuang Foods Co., Ltd."), ("Huaxin Portland cement 50kg", "Huaxin Cement"),
    ("Huawen trading cards", "Huawen Trading Co"), ("Patrol services, monthly", "Honor Guard Security LLC"),
    ("Honor roll wall plaque", "Acme Awards"), ("Hikers backpack 40L", "Deuter"), ("Dahlia bulbs, 25 pack", "Garden Co"),
    ("Machine vision lens", "Vision Technology Co., Ltd."), ("Signage player", "Digital Technology Co., Ltd."),
    ("Range hood", "Hangzhou Robam Appliances Co., Ltd."), ("Tape measure 8m", "Hangzhou Great Star Industrial Co., Ltd."),
    ("4MP IP camera", "Zhejiang Uniview Technologies Co., Ltd."), ("Uniview IPC2124LB-SF28KM-G camera", "Uniview"),
    ("P3265-LVE dome camera", "Axis Communications AB"), ("Q6135-LE PTZ camera", "Axis"),
    ("XNV-8080R Wisenet camera", "Hanwha Vision"), ("FLEXIDOME IP 5100i", "Bosch Security Systems"),
    ("Meraki MV12 camera", "Cisco"), ("CD42 dome camera", "Verkada"), ("H5A bullet camera", "Avigilon"),
    ("XProtect Professional+ license", "Milestone Systems"), ("Security Center license", "Genetec"),
    ("APX 6000 P25 portable radio", "Motorola Solutions"), ("NX-3320 portable radio", "Kenwood"),
    ("AirScale base station", "Nokia"), ("Router 6675", "Ericsson"), ("Catalyst 9200 switch", "Cisco Systems"),
    ("EX2300 switch", "Juniper Networks"), ("Aruba 6100 switch", "HPE Aruba"), ("UniFi U6 Pro access point", "Ubiquiti"),
    ("Archer AX55 router", "TP-Link"), ("Nighthawk M6 hotspot", "Netgear"), ("Galaxy S24 smartphone", "Samsung"),
    ("iPhone 15 128GB", "Apple"), ("ThinkPad T14 laptop", "Lenovo"), ("Latitude 5440 laptop", "Dell"),
    ("LaserJet Pro M404dn", "HP"), ("T6 Pro thermostat", "Honeywell"), ("Microwave oven NN-SN686S", "Panasonic"),
    ("Alpha 7 IV camera body", "Sony"), ("imageCLASS MF445dw printer", "Canon"), ("HL-L2350DW printer", "Brother"),
    ("Wisenet NVR 16ch", "Hanwha Techwin"), ("Synology DS224+ NAS", "Synology"), ("IP camera 4MP", "Reolink"),
    ("Doorbell camera", "Ring"), ("Nest Cam outdoor", "Google"), ("Arlo Pro 5 camera", "Arlo"),
    ("Hua Mei ceramic vase", "Ceramics Ltd"),
    ("HIK hydraulic jack 3t", "HIK Tools GmbH"), ("Zeta electric heater", "Zeta Heating"),
    ("ZT Systems server chassis", "ZT Systems"), ("Hyundai Tucson wiper blades", "Hyundai"),
    ("Hytrel hose 10m", "DuPont"), ("Hytec fuel pump", "Hytec"), ("Lorax children's book", "Random House"),
    ("Lorenz conference camera", "Lorenz AV"), ("Hilo chair mat", "Hilo Office"),
    ("HiWay cable ties", "HiWay"), ("Imo pump spare kit", "IMO Pump"), ("Honeywell Performance series thermostat", "Honeywell"),
    ("Panasonic Toughbook 40", "Panasonic"), ("Interlock switch", "Interlink Electronics"),
    ("DS-18B20 temperature sensor", "Maxim Integrated"), ("IPC-610 industrial chassis", "Advantech"),
    ("CS-101 coax stripper", "Klein Tools"), ("HAC-1 hinge", "Hafele"), ("NVR mounting shelf", "Rack Solutions"),
    ("PD-100 pressure gauge", "Omega"), ("MD-5 metal detector", "Garrett"), ("HP 785 ink cartridge", "HP"),
    ("THC-100 thermostat", "Generic"), ("XVR cable", "Generic"), ("VT-100 terminal emulator license", "Ericom"),
]
for d, m in neg:
    add(d, mfr=m, us=C, ca=C, hard=True, note="confusable name or model, not a covered vendor")
for d in ["Hikari LED panel light", "Hikoki cordless drill 18V", "Hankvision PoE switch", "Zetec engine gasket",
          "Aztec conference table", "Dahuang Foods noodles", "Huaxin cement", "Huawen trading cards",
          "Honor Guard Security LLC patrol services", "Huaweii", "Zte-style font license"]:
    pass

more_neg = [
    ("Ubuntu 22.04 LTS server support subscription", "Canonical"), ("Dahon folding bicycle", "Dahon"),
    ("Dahle 20314 paper shredder", "Dahle"), ("Hisense 55in 4K TV", "Hisense"), ("Hitachi projector lamp", "Hitachi"),
    ("Hikma saline 500ml", "Hikma Pharmaceuticals"), ("Hiking boots size 10", "Merrell"), ("Rolex service kit", "Rolex"),
    ("Amcor shrink film", "Amcor"), ("Ezy Vision reading glasses", "Ezy Vision"), ("Zebra ZT410 label printer", "Zebra Technologies"),
    ("ZTR mower blades", "Toro"), ("ZTO Express shipping label", "ZTO Express"), ("Zetta backup appliance", "Zetta"),
    ("Huayu automotive mirror", "Huayu Automotive Systems"), ("Huatai bond fund fee", "Huatai Securities"),
    ("Haier refrigerator", "Haier"), ("海尔冰箱 BCD-216", "海尔集团"), ("联想笔记本电脑", "联想集团"),
    ("大华银行 wire transfer fee", "United Overseas Bank"), ("Boss DS-1 distortion pedal", "Boss"),
    ("IPC-A-610 training course", "IPC"), ("IPC-T-50 standard document", "IPC"), ("CS-50 cable stripper", "Jonard"),
    ("HM-100 hygrometer", "Extech"), ("Hytek gas detector", "Hytek"), ("Hyten hospital bed", "Hyten"),
    ("Vision Digital Technology Co., Ltd. monitor arm", "Vision Digital Technology Co., Ltd."),
    ("Shenzhen Digital Vision Technology Co., Ltd. HDMI extender", "Shenzhen Digital Vision Technology Co., Ltd."),
    ("Zhejiang Technology Co. valve", "Zhejiang Technology Co."), ("Hangzhou Digital Technology Co. sensor", "Hangzhou Digital Technology Co."),
    ("Zhejiang Dali Technology thermal camera", "Zhejiang Dali Technology Co., Ltd."),
]
for d, m in more_neg:
    add(d, mfr=m, us=C, ca=C, hard=True, note="confusable name or model, not a covered vendor")
for d in ["Decommission and remove Hikvision NVRs, Building 7", "Dispose of legacy Dahua cameras per NDAA",
          "Removal of Huawei Wi-Fi access points and haul away", "Retire ZTE ONT units at branch offices",
          "Hikvision DVR disposal and hard drive destruction", "Swap out Hytera radios (removal only)",
          "Uninstall EZVIZ cameras from break room", "Removal and e-waste recycling of HiLook cameras",
          "Remediation: remove Dahua intercom panels", "Rip out Hikvision access control readers"]:
    add(d, us=C, ca=C, hard=True, note="removal/disposal service is not a purchase")
for d in ["TAA and NDAA compliant, no Huawei or ZTE parts", "Non-Dahua replacement camera (Hanwha)",
          "Alternative to Dahua XVR, NDAA compliant", "Not Hikvision: Axis M3086-V camera",
          "NDAA compliant NVR without Hikvision firmware"]:
    add(d, us=C, ca=C, hard=True, note="negated mention")
for date in ["2024-01-15", "2025-03-01"]:
    add("Lorex 4K NVR 16ch", date=date, us=C, ca=C, hard=True, note="Lorex after the Dahua sale")
add("Network camera", supplier="Dahua Technology USA Inc.", date="2025-02-01", us=C, ca=C, hard=True,
    note="former Dahua US subsidiary after the sale")
# Removal / disposal / decommissioning: not a purchase
for d in ["Removal and disposal of existing Hikvision cameras", "Decommission Huawei switches in building 3",
          "Rip and replace ZTE radio access equipment with Nokia AirScale", "Haul away Dahua DVRs for e-waste recycling",
          "Hikvision camera removal, Building 4", "De-installation of legacy Hytera repeaters",
          "Dismantle and dispose of Huawei base station equipment", "Uninstall Dahua NVR and wipe drives",
          "Remove Lorex cameras from lobby", "Decommissioning of HiLook DVRs, all sites",
          "Removal of Hikvision and Dahua devices per NDAA section 889", "Dispose of ZTE CPE units (e-waste)",
          "Recycling of Huawei phones", "Take down and scrap EZVIZ cameras",
          "Removal of Hangzhou Hikvision Digital Technology Co., Ltd. equipment"]:
    add(d, mfr="", us=C, ca=C, hard=True, note="removal/disposal service is not a purchase")
add("De-installation and recycling of legacy cameras", mfr="Hikvision", us=C, ca=C, hard=True,
    note="removal service; manufacturer column names the removed equipment")
# Negated mentions
for d in ["NDAA compliant camera; no Hikvision, Dahua or Huawei components", "Non-Hikvision 4MP IP camera",
          "NDAA-compliant alternative to Hikvision DS-2CD2143G2-I, made by Axis", "Camera without Huawei HiSilicon chipset",
          "Router, not ZTE or Huawei", "Free of Dahua components, TAA compliant", "Replaces Hikvision NVR (Axis S3008)"]:
    add(d, mfr="Axis" if "Axis" in d else "Generic", us=C, ca=C, hard=True, note="negated mention")


# =================================================================================================
# Issue 9 lines (written before any issue-9 rule change; see README "Issue 9 lines"). They follow
# the wording of public procurement documents: contract award notices and solicitations (BidNet
# CCTV service solicitation, model CCTV maintenance contract, electronic security system SOW,
# CCTV services schedules), FAR 52.204-25 / section 889 wording, supplier catalogue rows and the
# UNSPSC code set. Each line is labelled from the role of the covered name (issue 9):
#   made by / brand / model of the item -> policy verdict; service on covered equipment still in
#   use (maintenance, firmware, licences, spare parts) -> review; compatible accessory -> review;
#   replaced / migrated from / traded in, topic of a service -> clear (hard negative);
#   seller only -> review when the maker is unknown, clear when the maker is named and not covered;
#   part of a person's or business's name -> clear (hard negative); misspelt name -> review.
# =================================================================================================
ISSUE9_START = len(rows)
VEND = {
    # key: (names in text, policy verdicts when made by it (us, ca), CA verdict for in-use services)
    "hik": (["Hikvision", "HIKVISION", "Hik Vision"], (P, P), R),
    "dahua": (["Dahua", "DAHUA"], (P, C), C),
    "huawei": (["Huawei", "HUAWEI"], (P, C), C),
    "zte": (["ZTE"], (P, C), C),
    "hytera": (["Hytera", "HYTERA"], (P, C), C),
    "ezviz": (["EZVIZ"], (P, R), R),
    "hilook": (["HiLook"], (P, R), R),
}
DEV = {
    "hik": [("4MP fixed dome network camera", "DS-2CD2143G2-IS"), ("16-channel network video recorder", "DS-7616NI-K2"),
            ("4MP PTZ camera 25x", "DS-2DE4425IW-DE"), ("door station, video intercom", "DS-KV6113-WPE1")],
    "dahua": [("2MP bullet network camera", "DH-IPC-HFW1230S"), ("8-channel NVR", "DHI-NVR4108HS-8P"),
              ("PTZ network camera", "DH-SD49225XA-HNR"), ("villa outdoor station", "DHI-VTO2202F-P")],
    "huawei": [("48-port access switch", "S5735-L48T4X-A1"), ("enterprise router", "AR6140E-9G-2AC"),
               ("Wi-Fi 6 access point", "AirEngine 5762-13"), ("5G CPE router", "CPE Pro 5")],
    "zte": [("5G indoor CPE", "MC888"), ("GPON ONT", "ZXHN F680"), ("4G mobile hotspot", "MF971R"),
            ("rugged smartphone", "Blade A72")],
    "hytera": [("DMR portable radio", "PD985"), ("DMR repeater", "HR1065"), ("mobile radio", "MD785i"),
               ("TETRA hand-portable terminal", "PT580H Plus")],
    "ezviz": [("Wi-Fi pan/tilt indoor camera", "CS-C6N"), ("smart video doorbell", "CS-DB1C")],
    "hilook": [("Turbo HD bullet camera", "THC-B120-MC"), ("4MP network dome camera", "IPC-D140H")],
}
OTHERS = [("Axis Communications", "Axis", "P3265-LVE dome camera"), ("Hanwha Vision", "Hanwha", "XNV-8082R bullet camera"),
          ("Bosch Security Systems", "Bosch", "FLEXIDOME IP 3000i"), ("Motorola Solutions", "Motorola", "APX N70 portable radio"),
          ("Cisco Systems", "Cisco", "Catalyst 9300 switch"), ("Nokia", "Nokia", "FastMile 5G gateway"),
          ("Avigilon", "Avigilon", "H6A dome camera"), ("i-PRO", "i-PRO", "WV-S2136 dome camera"),
          ("Juniper Networks", "Juniper", "EX4400 switch"), ("Kenwood", "Kenwood", "NX-3220 portable radio")]
SITES = ["Building 12", "the county courthouse", "Fire Station 4", "the water treatment plant", "Region 3 offices",
         "the public library", "Terminal B", "the transit garage"]
ALL = ["hik", "dahua", "huawei", "zte", "hytera"]


def vname(v, i):
    names = VEND[v][0]
    return names[i % len(names)]


def made(v):
    return VEND[v][1]


def svc(v):
    return (R, VEND[v][2])


def acc(v):
    return (R, VEND[v][2])


def cam_code(v):
    return {"hik": CAM, "dahua": CAM, "ezviz": CAM, "hilook": CAM, "huawei": "43222600", "zte": "43222600",
            "hytera": "43191500"}[v]


k = 0
# ---- made by / brand / model of the item: the policy verdict ----------------------------------
made_t = ["Supply and installation of {n} {V} {d} at {site}", "Purchase of {V} {d} ({m})", "{V} {m} {d}, qty {n}",
          "Furnish and deliver {V} {d}, model {m}", "Procurement of {n} x {V} {d} for {site}",
          "New {V} {d} to replace broken {O} unit", "{V} {d} {m} to replace failed {O} equipment",
          "Replace old {V} {d} with new {V} {m}", "Swap existing {V} unit for new {V} {d} {m}",
          "Standing offer call-up: {V} {d} {m}, qty {n}"]
for ti, t in enumerate(made_t):
    for vi, v in enumerate(ALL + ["ezviz", "hilook"]):
        d, m = DEV[v][(ti + vi) % len(DEV[v])]
        o = OTHERS[(ti * 3 + vi) % len(OTHERS)][1]
        us, ca = made(v)
        add(t.format(V=vname(v, ti + vi), d=d, m=m, n=2 + (ti + vi) % 9, site=SITES[(ti + vi) % len(SITES)], O=o),
            unspsc=cam_code(v) if (ti + vi) % 3 == 0 else "", us=us, ca=ca, note="issue9: covered maker/brand is the item bought")
# structured manufacturer/brand columns
for vi, v in enumerate(ALL):
    for j in range(3):
        d, m = DEV[v][(vi + j) % len(DEV[v])]
        us, ca = made(v)
        add(d, mfr=vname(v, j) if j != 1 else "", brand=vname(v, j) if j == 1 else "", pn=m,
            supplier=["CDW Government LLC", "Anixter Inc.", "Graybar Electric"][j], unspsc=cam_code(v), us=us, ca=ca,
            note="issue9: covered maker in a structured column, distributor as seller")
# OEM case: verified model stem in the model column under another label decides the maker
for lab, m, us, ca in [("Acme Security", "DS-2CD2347G2-LU", P, P), ("SecureView Pro", "DS-7608NXI-K2", P, P),
                       ("Northwind Systems", "DS-2CE78D0T-IT3F", P, P), ("ProVision Tech", "DH-IPC-HDBW2431E-S", P, C),
                       ("Guardian OEM", "DHI-NVR5216-16P-4KS2E", P, C), ("CityCam", "DS-K1T343MWX", P, P),
                       ("Blue Ridge Security", "DH-SD6CE445XA-HNR", P, C), ("Metro Vision", "DS-2DE2A404IW-DE3", P, P)]:
    add("IP security camera equipment" if "NVR" not in m else "network video recorder", mfr=lab, model=m, unspsc=CAM, us=us,
        ca=ca, note="issue9 OEM case: verified covered model stem in the model column under another label")
# misspellings of covered names (6+ letters): a weaker match, review
for d, us, ca in [("Hikvison 4MP dome camera", R, R), ("Huawie AR6120 router", R, C), ("Hyterra PD785 portable radio", R, C),
                  ("Hikvsion NVR 16 channel", R, R), ("HUAWAI 24-port switch", R, C), ("Hikvisoin bullet camera 2.8mm", R, R),
                  ("Hytrea DMR repeater", R, C), ("Huaewi Wi-Fi 6 access point", R, C), ("Hikvission PTZ camera", R, R),
                  ("Hikivision door station", R, R), ("Huawai enterprise router", R, C), ("Hyteraa mobile radio", R, C)]:
    add(d, us=us, ca=ca, note="issue9: misspelt covered name (edit distance 1), lower-score match")
# ---- services on covered equipment still in use: review ---------------------------------------
svc_t = ["Annual preventive maintenance of existing {V} CCTV system at {site}",
         "Firmware upgrade of installed {V} {d} units", "Software licence renewal for {V} video management platform",
         "Spare parts for {V} {d} ({m})", "Extended warranty, {V} {d}, 3 years",
         "Repair of {V} {d} (time and materials)", "Technical support contract for installed {V} equipment",
         "Maintenance and support services for the {V} network at {site}"]
for rep, (ti, t) in [(r, x) for r in range(2) for x in enumerate(svc_t)]:
    for vi, v in enumerate(ALL if rep == 0 else ["hik", "dahua", "huawei", "ezviz", "hilook"]):
        d, m = DEV[v][(ti + vi + rep) % len(DEV[v])]
        us, ca = svc(v)
        add(t.format(V=vname(v, ti), d=d, m=m, site=SITES[(ti * 2 + vi) % len(SITES)]),
            unspsc="72154000" if ti % 2 == 0 else "", us=us, ca=ca, note="issue9: service on covered equipment still in use")
# ---- compatible accessories: review -----------------------------------------------------------
acc_t = ["Wall mount bracket compatible with {V} {d}", "12V power adapter for {V} {d}", "{V}-compatible PoE injector",
         "Replacement battery for {V} {d}", "Third-party SFP module, {V} compatible", "Pole mount adapter, fits {V} {d}",
         "Junction box suitable for {V} {d}"]
for rep, (ti, t) in [(r, x) for r in range(2) for x in enumerate(acc_t)]:
    for vi, v in enumerate(ALL if rep == 0 else ["hik", "ezviz", "huawei", "zte", "hilook"]):
        d, m = DEV[v][(ti + vi + rep) % len(DEV[v])]
        us, ca = acc(v)
        add(t.format(V=vname(v, vi), d=d), mfr=["Generic", "", "StarTech", "", "Panduit", "", "Pelco"][ti], us=us, ca=ca,
            note="issue9: accessory compatible with covered equipment")
# ================================ hard negatives (clear under every policy) =======================
# ---- replaced / migrated from / traded in -----------------------------------------------------
repl_t = ["{OP} to replace existing {V} cameras at {site}", "Replacement of {V} {d} with {OP}",
          "Migration from {V} video management system to {O} platform", "Trade-in of {V} {d} toward {OP}",
          "NDAA-compliant {OP} replacing {V} units", "Upgrade from {V} {d} to {OP}", "{OP} in lieu of {V} {d}",
          "Rip and replace {V} equipment with {OP}", "{OP}, replaces {V} {d}", "Transition from {V} to {O}: supply of {OP}"]
for rep, (ti, t) in [(r, x) for r in range(2) for x in enumerate(repl_t)]:
    for vi, v in enumerate(ALL):
        d, m = DEV[v][(ti + vi + rep) % len(DEV[v])]
        full, o, op = OTHERS[(ti + vi * 2 + 5 * rep) % len(OTHERS)]
        add(t.format(V=vname(v, ti + vi + rep), d=d, O=o, OP=f"{o} {op}", site=SITES[(ti + vi + rep) % len(SITES)]),
            mfr=full if (ti + vi + rep) % 2 == 0 else "", us=C, ca=C, hard=True,
            note="issue9: covered item is replaced/migrated from/traded in; the item bought is not covered")
# ---- topic of a service (training, legal, research, survey, audit) ------------------------------
topic_t = [("Training course: NDAA section 889 compliance and {V} equipment identification", "86101700"),
           ("Legal opinion on contract exposure to {V} telecommunications equipment", "80121700"),
           ("Market research subscription, video surveillance industry ({V} and competitors)", "80141500"),
           ("Inventory survey of installed {V} cameras for phase-out planning", "81101500"),
           ("Audit of network devices to identify {V} equipment", "80101500"),
           ("Consulting services: {V} removal and replacement plan", "80101500"),
           ("Webinar registration: supply chain risk of {V} devices", "86101700"),
           ("Research report: {V} market share and sanctions history", "80141500"),
           ("Risk assessment of {V} components in the radio network", "81101500"),
           ("Investigation report on {V} devices found on site", "80101500")]
for rep, (ti, (t, code)) in [(r, x) for r in range(2) for x in enumerate(topic_t)]:
    for vi, v in enumerate(ALL):
        add(("Professional services - " if rep else "") + t.format(V=vname(v, ti + vi + rep)),
            unspsc=code if (ti + vi + rep) % 2 == 0 else "",
            supplier=["Deloitte LLP", "Gartner Inc.", "Baker McKenzie", "IPVM", "Booz Allen Hamilton"][(vi + rep) % 5], us=C, ca=C,
            hard=True, note="issue9: covered name is the topic of a service")
# ---- seller only -------------------------------------------------------------------------------
sellers = [("Dahua Trading Co., Ltd.", "dahua"), ("Huawei Parts Depot LLC", "huawei"), ("ZTE Phones Outlet", "zte"),
           ("Hikvision Reseller Supplies Inc.", "hik"), ("Hytera Radio Shop", "hytera"),
           ("Hikvision USA, Inc.", "hik"), ("Huawei Technologies Co., Ltd.", "huawei"), ("Dahua Technology Company", "dahua")]
for si, (sname, v) in enumerate(sellers):
    full, o, op = OTHERS[si % len(OTHERS)]
    add(op, mfr=full, supplier=sname, us=C, ca=C, hard=True,
        note="issue9: seller named after a covered company, maker named and not covered")
    add(f"{o} {op}", supplier=sname, us=C, ca=C, hard=True,
        note="issue9: seller named after a covered company, non-covered maker in the description")
    add(["CAT6 patch cable 3m, 10 pack", "Rack-mount PDU 8 outlet", "UPS 1500VA", "HDMI cable 2m"][si % 4], supplier=sname,
        us=R, ca=R if v == "hik" else C, note="issue9: seller named after a covered company, maker unknown")
# ---- part of a person's or business's name ----------------------------------------------------
for d, sup in [("Catering for staff event", "Dahua Restaurant"), ("Interpreter services, Mandarin", "Li Dahua"),
               ("Consulting fee: Dr. Wang Huawei", ""), ("Travel reimbursement for Zhang Dahua", ""),
               ("Lunch order, 25 boxes", "Huawei Noodle House"), ("Honor roll certificates, printed", "Office Depot"),
               ("Office lease, 12 Hills Road", "Hills Property Management"), ("Centrifugal pump spares", "Prama Engineering Works"),
               ("Speaker fee: Prof. Chen Dahua, keynote", ""), ("Translation of tender documents", "Huawei Translation Studio"),
               ("Tuition reimbursement, employee Liu Huawei", ""), ("Floral arrangements for lobby", "Dahua Florist"),
               ("Wedding banquet hall rental", "Hua Wei Banquet Hall"), ("Accounting services", "Dahua & Partners CPA"),
               ("Honor Guard ceremonial uniforms", "Ceremonial Supply Co"), ("Hills Bros coffee, 12 cans", "Sysco"),
               ("Dahua Zhang: conference travel claim", ""), ("Driving lessons", "Huawei Driving School"),
               ("Taxi fare, employee Huang Dahua", ""), ("Research grant payment to Dr. Dahua Li", "")]:
    add(d, supplier=sup, us=C, ca=C, hard=True, note="issue9: covered name is part of a person's or business's name")

w = csv.DictWriter(sys.stdout, fieldnames=["line_id", "description", "manufacturer", "brand", "model", "part_number",
                                           "supplier", "unspsc", "date", "expect_us_ndaa_889",
                                           "expect_ca_federal_2025", "hard_negative", "split", "note"], lineterminator="\n")
w.writeheader()
for i, r in enumerate(rows, 1):
    r = dict(r)
    # Split rule (README "Split"): lines before issue 9 are dev (the rules were written with
    # them); issue-9 lines are test iff the CRC-32 of their line_id is odd.
    if i <= ISSUE9_START:
        r["line_id"] = f"E{i:04d}"
        r["split"] = "dev"
    else:
        r["line_id"] = f"N{i:04d}"
        r["split"] = "test" if zlib.crc32(r["line_id"].encode()) & 1 else "dev"
    w.writerow(r)
print(f"{len(rows)} lines, {sum(r['hard_negative'] == 'yes' for r in rows)} hard negatives", file=sys.stderr)
